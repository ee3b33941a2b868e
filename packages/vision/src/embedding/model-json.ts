/** The file a TensorFlow.js model folder is described by. */
export const MODEL_JSON = 'model.json';
