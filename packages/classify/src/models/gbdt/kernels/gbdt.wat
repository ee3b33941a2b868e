;; The gradient-boosting trainer's hot loops (@mlsd/classify), in WebAssembly text.
;;
;; Compiled at build time by `pnpm --filter @mlsd/core build:wasm` (wabt's wat2wasm, npm build)
;; into gbdt.wasm.ts beside this file; a test checks that module is up to date.
;;
;; One linear memory holds the binned columns (u8), the interleaved gradients and hessians
;; (f64 pairs, row r's at gradHess + 16r), the u32 row indices and an output histogram. Every
;; address is a byte offset into it. A feature table lists, per feature to visit, two i32:
;; where its bins are (see each kernel) and the address of its histogram block (`slots` slots
;; of three f64: gradient sum, hessian sum, count; slot of bin b at block + 24b).
;;
;; Each slot receives its rows' additions in row order, exactly as the JavaScript reference in
;; histogram.ts and the per-fit kernels (fixed-kernels.ts) add them, so all three give the same
;; sums to the bit. V8 compiles these to tighter code than the same loops in JavaScript (no
;; bounds check per typed-array access, addresses computed once), about twice as fast.
(module
  (import "env" "memory" (memory 1))

  ;; histogramIndexed(table, tableEnd, gradHess, indexStart, indexEnd, rowBins, stride):
  ;; for each row index r = u32[p], p in [indexStart, indexEnd) step 4, and each table entry
  ;; (feature f, histogram) in [table, tableEnd) step 8: g(r), h(r) and 1 are added to the slot
  ;; of the row's bin, read row-major at u8[rowBins + r * stride + f] (a node's scattered rows
  ;; then touch one cache line of bins each). Needs tableEnd > table.
  (func $histogramIndexed (export "histogramIndexed")
    (param $table i32) (param $tableEnd i32) (param $gradHess i32)
    (param $p i32) (param $indexEnd i32) (param $rowBins i32) (param $stride i32)
    (local $t i32) (local $at i32) (local $column i32) (local $histogram i32)
    (local $bins i32) (local $g f64) (local $h f64)
    (block $done
      (br_if $done (i32.ge_u (local.get $p) (local.get $indexEnd)))
      (loop $row
        ;; The row's gradient and hessian, and where its row-major bins start.
        (local.set $at
          (i32.add (i32.shl (local.tee $bins (i32.load (local.get $p))) (i32.const 4))
                   (local.get $gradHess)))
        (local.set $g (f64.load (local.get $at)))
        (local.set $h (f64.load offset=8 (local.get $at)))
        (local.set $bins
          (i32.add (i32.mul (local.get $bins) (local.get $stride)) (local.get $rowBins)))
        (local.set $t (local.get $table))
        (loop $feature
          (local.set $column (i32.load (local.get $t)))
          (local.set $histogram (i32.load offset=4 (local.get $t)))
          (local.set $at
            (i32.add (local.get $histogram)
                     (i32.mul (i32.load8_u (i32.add (local.get $column) (local.get $bins)))
                              (i32.const 24))))
          (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $g)))
          (f64.store offset=8 (local.get $at) (f64.add (f64.load offset=8 (local.get $at)) (local.get $h)))
          (f64.store offset=16 (local.get $at) (f64.add (f64.load offset=16 (local.get $at)) (f64.const 1)))
          (br_if $feature
            (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 8))) (local.get $tableEnd))))
        (br_if $row
          (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 4))) (local.get $indexEnd))))))

  ;; histogramContiguous(table, tableEnd, gradHess, rows): as histogramIndexed for rows
  ;; 0 .. rows - 1 in order, gradient and hessian sums only (counts untouched: the caller knows
  ;; them), with bins read column-major: table entry (column, histogram) reads u8[column + r].
  (func $histogramContiguous (export "histogramContiguous")
    (param $table i32) (param $tableEnd i32) (param $gradHess i32) (param $rows i32)
    (local $t i32) (local $at i32) (local $column i32) (local $histogram i32)
    (local $ghAt i32) (local $row i32) (local $g f64) (local $h f64)
    (local.set $ghAt (local.get $gradHess))
    (block $done
      (br_if $done (i32.ge_u (local.get $row) (local.get $rows)))
      (loop $next
        (local.set $g (f64.load (local.get $ghAt)))
        (local.set $h (f64.load offset=8 (local.get $ghAt)))
        (local.set $t (local.get $table))
        (loop $feature
          (local.set $column (i32.load (local.get $t)))
          (local.set $histogram (i32.load offset=4 (local.get $t)))
          (local.set $at
            (i32.add (local.get $histogram)
                     (i32.mul (i32.load8_u (i32.add (local.get $column) (local.get $row)))
                              (i32.const 24))))
          (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $g)))
          (f64.store offset=8 (local.get $at) (f64.add (f64.load offset=8 (local.get $at)) (local.get $h)))
          (br_if $feature
            (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 8))) (local.get $tableEnd))))
        (local.set $ghAt (i32.add (local.get $ghAt) (i32.const 16)))
        (br_if $next
          (i32.lt_u (local.tee $row (i32.add (local.get $row) (i32.const 1))) (local.get $rows))))))

  ;; partitionRows(start, end, column, goesLeft, scratch) -> leftEnd: a stable partition pass
  ;; over the u32 row indices in [start, end). Rows whose bin b = u8[column + row] has
  ;; u8[goesLeft + b] = 1 are compacted to the front in place; the others are written in order
  ;; from `scratch` on (the caller copies them back after the left ones). Returns the address
  ;; where the left side ends. Branch-free: each row is written to both sides and only the
  ;; matching cursor advances (a branch on random bins mispredicts half the time).
  (func $partitionRows (export "partitionRows")
    (param $p i32) (param $end i32) (param $column i32) (param $goesLeft i32) (param $scratch i32)
    (result i32)
    (local $write i32) (local $out i32) (local $row i32) (local $left i32)
    (local.set $write (local.get $p))
    (local.set $out (local.get $scratch))
    (block $done
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (loop $next
        (local.set $row (i32.load (local.get $p)))
        (i32.store (local.get $write) (local.get $row))
        (i32.store (local.get $out) (local.get $row))
        (local.set $left
          (i32.load8_u
            (i32.add (local.get $goesLeft)
                     (i32.load8_u (i32.add (local.get $column) (local.get $row))))))
        (local.set $write (i32.add (local.get $write) (i32.shl (local.get $left) (i32.const 2))))
        (local.set $out
          (i32.sub (i32.add (local.get $out) (i32.const 4)) (i32.shl (local.get $left) (i32.const 2))))
        (br_if $next
          (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 4))) (local.get $end)))))
    (local.get $write))
)
