#!/usr/bin/python3
"""Writes a TensorFlow.js Keras-layers MobileNetV2 (the one nsfwjs ships, as extracted by
@mlsd/vision's extractNsfwjsModel) as an ONNX model, so the benchmark can run the same
pretrained weights on onnxruntime-node and on TensorFlow.js's WebAssembly backend.

    /usr/bin/python3 tfjs-layers-to-onnx.py <model folder> <out.onnx>

Only the layer classes MobileNetV2 uses are converted (InputLayer, ZeroPadding2D, Conv2D,
DepthwiseConv2D, BatchNormalization, ReLU, Add, AveragePooling2D, Flatten, Dense, Dropout);
anything else stops the script. The model takes NHWC float32 [N, H, W, 3] like the TF.js model
and has two outputs: "features" (Flatten after the average pooling, 1,280 values) and the
model's own last output. Quantised weights (uint8 with min and scale) are expanded to float32
as TF.js does: value = min + scale * q. Needs Debian's python3-onnx and python3-numpy.
"""

import json
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

folder, out_path = sys.argv[1], sys.argv[2]
model = json.load(open(f'{folder}/model.json'))
layers = model['modelTopology']['model_config']['config']['layers']

# Weights, in manifest order, concatenated across shards.
data = b''.join(open(f'{folder}/{p}', 'rb').read()
                for group in model['weightsManifest'] for p in group['paths'])
weights = {}
offset = 0
for group in model['weightsManifest']:
    for spec in group['weights']:
        count = int(np.prod(spec['shape'])) if spec['shape'] else 1
        quant = spec.get('quantization')
        if quant is not None:
            assert quant['dtype'] == 'uint8', quant
            q = np.frombuffer(data, dtype=np.uint8, count=count, offset=offset)
            values = (quant['min'] + quant['scale'] * q.astype(np.float64)).astype(np.float32)
            offset += count
        else:
            assert spec['dtype'] == 'float32', spec
            values = np.frombuffer(data, dtype=np.float32, count=count, offset=offset)
            offset += 4 * count
        weights[spec['name']] = values.reshape(spec['shape'])

nodes = []
inits = []


def const(name, array):
    inits.append(numpy_helper.from_array(np.asarray(array), name))
    return name


def inbound(layer):
    return [link[0] for link in layer['inbound_nodes'][0]]


last = None
for layer in layers:
    kind, cfg = layer['class_name'], layer['config']
    name = cfg['name']
    if kind == 'InputLayer':
        nodes.append(helper.make_node('Transpose', ['pixels'], [name], perm=[0, 3, 1, 2]))
    elif kind == 'ZeroPadding2D':
        (top, bottom), (left, right) = cfg['padding']
        pads = const(f'{name}/pads', np.array([0, 0, top, left, 0, 0, bottom, right], np.int64))
        nodes.append(helper.make_node('Pad', [inbound(layer)[0], pads], [name]))
    elif kind in ('Conv2D', 'DepthwiseConv2D'):
        kh, kw = cfg['kernel_size']
        if kind == 'Conv2D':
            kernel = weights[f'{name}/kernel'].transpose(3, 2, 0, 1)  # HWIO -> OIHW
            group = 1
        else:
            k = weights[f'{name}/depthwise_kernel']  # [kh, kw, in, multiplier]
            assert k.shape[3] == 1, k.shape
            kernel = k.transpose(2, 3, 0, 1)  # -> [in, 1, kh, kw]
            group = k.shape[2]
        inputs = [inbound(layer)[0], const(f'{name}/w', kernel)]
        if cfg.get('use_bias'):
            inputs.append(const(f'{name}/b', weights[f'{name}/bias']))
        same = cfg['padding'] == 'same'
        pads = [kh // 2, kw // 2, kh // 2, kw // 2] if same else [0, 0, 0, 0]
        assert not same or cfg['strides'] == [1, 1], cfg['strides']
        nodes.append(helper.make_node('Conv', inputs, [name], kernel_shape=[kh, kw],
                                      strides=cfg['strides'], pads=pads, group=group))
        assert cfg.get('activation', 'linear') == 'linear', cfg['activation']
    elif kind == 'BatchNormalization':
        inputs = [inbound(layer)[0]] + [const(f'{name}/{p}', weights[f'{name}/{p}'])
                                        for p in ('gamma', 'beta', 'moving_mean', 'moving_variance')]
        nodes.append(helper.make_node('BatchNormalization', inputs, [name],
                                      epsilon=cfg['epsilon']))
    elif kind == 'ReLU':
        low = const(f'{name}/min', np.array(0, np.float32))
        high = const(f'{name}/max', np.array(cfg['max_value'], np.float32))
        nodes.append(helper.make_node('Clip', [inbound(layer)[0], low, high], [name]))
    elif kind == 'Add':
        nodes.append(helper.make_node('Add', inbound(layer), [name]))
    elif kind == 'AveragePooling2D':
        nodes.append(helper.make_node('AveragePool', [inbound(layer)[0]], [name],
                                      kernel_shape=cfg['pool_size'], strides=cfg['strides']))
    elif kind == 'Flatten':
        # After a 7 x 7 pooling the map is 1 x 1: NCHW and NHWC flatten to the same vector.
        nodes.append(helper.make_node('Flatten', [inbound(layer)[0]], ['features'], axis=1))
        nodes.append(helper.make_node('Identity', ['features'], [name]))
    elif kind == 'Dense':
        gemm = f'{name}/linear'
        nodes.append(helper.make_node('Gemm', [inbound(layer)[0], const(f'{name}/w', weights[f'{name}/kernel']),
                                               const(f'{name}/b', weights[f'{name}/bias'])], [gemm]))
        activation = {'relu': 'Relu', 'softmax': 'Softmax', 'linear': 'Identity'}[cfg['activation']]
        nodes.append(helper.make_node(activation, [gemm], [name]))
    elif kind == 'Dropout':
        nodes.append(helper.make_node('Identity', inbound(layer), [name]))
    else:
        raise SystemExit(f'layer {name}: class {kind} is not converted')
    last = name

shape = model['modelTopology']['model_config']['config']['layers'][0]['config']['batch_input_shape']
graph = helper.make_graph(
    nodes, 'mobilenet_v2',
    [helper.make_tensor_value_info('pixels', TensorProto.FLOAT, ['N', shape[1], shape[2], shape[3]])],
    [helper.make_tensor_value_info('features', TensorProto.FLOAT, ['N', None]),
     helper.make_tensor_value_info(last, TensorProto.FLOAT, ['N', None])],
    inits)
onnx_model = helper.make_model(graph, producer_name='mlsd tfjs-layers-to-onnx',
                               opset_imports=[helper.make_opsetid('', 13)])
onnx_model.ir_version = 8
onnx.checker.check_model(onnx_model)
onnx.save(onnx_model, out_path)
print(out_path)
