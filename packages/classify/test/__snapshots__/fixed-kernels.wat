(module
  (type (;0;) (func (param i32 i32 i32)))
  (type (;1;) (func (param i32 i32)))
  (import "env" "memory" (memory (;0;) 1))
  (func $histogramIndexed (export "histogramIndexed") (type 0) (param $gradHess i32) (param $p i32) (param $indexEnd i32)
    (local $rowBase i32) (local $at i32) (local $g f64) (local $h f64)
    block  ;; label = @1
      local.get $p
      local.get $indexEnd
      i32.ge_u
      br_if 0 (;@1;)
      loop  ;; label = @2
        local.get $p
        i32.load
        local.tee $rowBase
        i32.const 4
        i32.shl
        local.get $gradHess
        i32.add
        local.tee $at
        f64.load
        local.set $g
        local.get $at
        f64.load offset=8
        local.set $h
        local.get $rowBase
        i32.const 8
        i32.mul
        local.set $rowBase
        local.get $rowBase
        i32.load8_u offset=4096
        i32.const 24
        i32.mul
        local.set $at
        local.get $at
        local.get $at
        f64.load offset=64
        local.get $g
        f64.add
        f64.store offset=64
        local.get $at
        local.get $at
        f64.load offset=72
        local.get $h
        f64.add
        f64.store offset=72
        local.get $at
        local.get $at
        f64.load offset=80
        f64.const 0x1p+0 (;=1;)
        f64.add
        f64.store offset=80
        local.get $rowBase
        i32.load8_u offset=4097
        i32.const 24
        i32.mul
        local.set $at
        local.get $at
        local.get $at
        f64.load offset=160
        local.get $g
        f64.add
        f64.store offset=160
        local.get $at
        local.get $at
        f64.load offset=168
        local.get $h
        f64.add
        f64.store offset=168
        local.get $at
        local.get $at
        f64.load offset=176
        f64.const 0x1p+0 (;=1;)
        f64.add
        f64.store offset=176
        local.get $p
        i32.const 4
        i32.add
        local.tee $p
        local.get $indexEnd
        i32.lt_u
        br_if 0 (;@2;)
      end
    end)
  (func $histogramContiguous (export "histogramContiguous") (type 1) (param $ghAt i32) (param $rows i32)
    (local $row i32) (local $at i32) (local $g f64) (local $h f64)
    block  ;; label = @1
      local.get $row
      local.get $rows
      i32.ge_u
      br_if 0 (;@1;)
      loop  ;; label = @2
        local.get $ghAt
        f64.load
        local.set $g
        local.get $ghAt
        f64.load offset=8
        local.set $h
        local.get $row
        i32.load8_u offset=1024
        i32.const 24
        i32.mul
        local.set $at
        local.get $at
        local.get $at
        f64.load offset=64
        local.get $g
        f64.add
        f64.store offset=64
        local.get $at
        local.get $at
        f64.load offset=72
        local.get $h
        f64.add
        f64.store offset=72
        local.get $row
        i32.load8_u offset=1124
        i32.const 24
        i32.mul
        local.set $at
        local.get $at
        local.get $at
        f64.load offset=160
        local.get $g
        f64.add
        f64.store offset=160
        local.get $at
        local.get $at
        f64.load offset=168
        local.get $h
        f64.add
        f64.store offset=168
        local.get $ghAt
        i32.const 16
        i32.add
        local.set $ghAt
        local.get $row
        i32.const 1
        i32.add
        local.tee $row
        local.get $rows
        i32.lt_u
        br_if 0 (;@2;)
      end
    end))
