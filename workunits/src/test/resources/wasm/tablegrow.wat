;; Grows its table by one element per run and returns the table's new size as one byte;
;; a fresh instance must answer the same every time.
(module
  (memory (export "memory") 1)
  (table $t 1 funcref)
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "run") (param i32 i32) (result i64)
    (drop (table.grow $t (ref.null func) (i32.const 1)))
    (i32.store8 (i32.const 0) (table.size $t))
    (i64.const 1)))
