;; One row through a packed tree ensemble (@mlsd/classify, packed-trees.ts), in WebAssembly text.
;;
;; Compiled at build time by `pnpm --filter @mlsd/core build:wasm` (wabt's wat2wasm, npm build)
;; into tree-walk.wasm.ts beside this file; a test checks that module is up to date.
;;
;; Memory layout (every address a byte offset; written by packed-trees.ts):
;; - nodes, 16 bytes each: f64 at +0 (a split's threshold, a leaf's value), i32 at +8 (the
;;   address of the f64 the split compares: one cell of the expanded row), i32 at +12 (the
;;   address of the node's left child; the right child follows it, 16 bytes on). A leaf points
;;   at a cell holding −∞ and at itself, so a walk that reaches it stays there.
;; - the expanded row: f64 cells chosen per split so that "x > threshold" alone decides
;;   (true: right); missing values are already turned into the side each split learned.
;; - groups of four trees, 20 bytes each: four i32 root addresses and one i32 depth (the
;;   deepest of the four; a group short of four trees is padded with a leaf of value −0, which
;;   adds nothing to any sum).
;;
;; The four walks of a group are independent, so their loads overlap; a step is branch-free
;; (the comparison's 0 or 1 picks the child), so no branch mispredicts on the data. The leaf
;; values are added in tree order, as the JavaScript walk (tree-ensemble.ts) adds them, so
;; the score is the same to the bit.
(module
  (import "env" "memory" (memory 1))

  ;; predictRow(groups, groupsEnd, score): score plus the leaf value of every tree of the
  ;; groups in [groups, groupsEnd) step 20, in order.
  (func $predictRow (export "predictRow")
    (param $g i32) (param $end i32) (param $score f64) (result f64)
    (local $a i32) (local $b i32) (local $c i32) (local $e i32) (local $d i32)
    (block $done
      (br_if $done (i32.ge_u (local.get $g) (local.get $end)))
      (loop $group
        (local.set $a (i32.load (local.get $g)))
        (local.set $b (i32.load offset=4 (local.get $g)))
        (local.set $c (i32.load offset=8 (local.get $g)))
        (local.set $e (i32.load offset=12 (local.get $g)))
        (block $walked
          (br_if $walked (i32.eqz (local.tee $d (i32.load offset=16 (local.get $g)))))
          (loop $level
            (local.set $a
              (i32.add
                (i32.load offset=12 (local.get $a))
                (i32.shl
                  (f64.gt (f64.load (i32.load offset=8 (local.get $a))) (f64.load (local.get $a)))
                  (i32.const 4))))
            (local.set $b
              (i32.add
                (i32.load offset=12 (local.get $b))
                (i32.shl
                  (f64.gt (f64.load (i32.load offset=8 (local.get $b))) (f64.load (local.get $b)))
                  (i32.const 4))))
            (local.set $c
              (i32.add
                (i32.load offset=12 (local.get $c))
                (i32.shl
                  (f64.gt (f64.load (i32.load offset=8 (local.get $c))) (f64.load (local.get $c)))
                  (i32.const 4))))
            (local.set $e
              (i32.add
                (i32.load offset=12 (local.get $e))
                (i32.shl
                  (f64.gt (f64.load (i32.load offset=8 (local.get $e))) (f64.load (local.get $e)))
                  (i32.const 4))))
            (br_if $level (local.tee $d (i32.sub (local.get $d) (i32.const 1))))))
        (local.set $score (f64.add (local.get $score) (f64.load (local.get $a))))
        (local.set $score (f64.add (local.get $score) (f64.load (local.get $b))))
        (local.set $score (f64.add (local.get $score) (f64.load (local.get $c))))
        (local.set $score (f64.add (local.get $score) (f64.load (local.get $e))))
        (br_if $group
          (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 20))) (local.get $end)))))
    (local.get $score)))
