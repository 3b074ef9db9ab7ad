;; Hostile: asks for 512 MiB of memory at start.
(module
  (memory (export "memory") 8192)
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "run") (param i32 i32) (result i64) (i64.const 0)))
