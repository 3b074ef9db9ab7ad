;; Invalid for the ABI: run has the wrong signature.
(module
  (memory (export "memory") 1)
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "run") (param i32) (result i32) (i32.const 0)))
