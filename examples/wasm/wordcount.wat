;; Counts the words, lines and bytes of a unit's input files: Enjambre's example of reading uploaded files from
;; WebAssembly (docs/wasm-abi.md, "Files"). Its merged result is byte for byte the built-in wordcount app's
;; (without stopwords) over the same files, one unit per file.
;;
;; Follows the Enjambre module ABI:
;;   run input   ignored (a "files" job gives each unit an empty input)
;;   files       every file the unit sees (its own, then the job's shared ones), each read from its start to its
;;               end in 64 KiB ranges with enjambre.file_read: a unit never holds a whole file
;;   run output  24 bytes: words, lines, bytes, each a little-endian unsigned 64-bit integer, summed over its files
;;   merge       sums the units' counts and returns {"words":W,"lines":L,"bytes":B,"files":F}, F the number of units
;; A word is a maximal run of bytes that are not ASCII white space (space, tab, LF, VT, FF, CR); a word never
;; continues from one file into the next. A line is a LF byte. Progress is reported after every range read.
;;
;; Compile: wat2wasm wordcount.wat -o wordcount.wasm   (Debian package wabt), or Chicory's Wat2Wasm.
(module
  (import "enjambre" "progress" (func $progress (param f64)))
  (import "enjambre" "file_count" (func $file_count (result i32)))
  (import "enjambre" "file_size" (func $file_size (param i32) (result i64)))
  (import "enjambre" "file_read" (func $file_read (param i32 i64 i32 i32) (result i32)))

  ;; Memory layout: 0..23 run output, 1024..1060 the merge's JSON keys, 1100..1127 digit scratch,
  ;; 2048..4095 merge output, 65536..131071 the read buffer, 131072.. the bump-allocated heap.
  (memory (export "memory") 3)
  (data (i32.const 1024) "{\22words\22:,\22lines\22:,\22bytes\22:,\22files\22:}")
  (global $heap (mut i32) (i32.const 131072))
  (global $out (mut i32) (i32.const 2048))

  ;; Hands out len bytes at the top of the heap, growing memory when needed.
  (func $alloc (export "alloc") (param $len i32) (result i32)
    (local $p i32)
    (local $end i32)
    (local $pages i32)
    (local.set $p (global.get $heap))
    (local.set $end (i32.add (local.get $p) (local.get $len)))
    (if (i32.lt_u (local.get $end) (local.get $p)) (then unreachable))
    (local.set $pages
      (i32.add (i32.shr_u (local.get $end) (i32.const 16))
               (i32.ne (i32.and (local.get $end) (i32.const 0xFFFF)) (i32.const 0))))
    (if (i32.gt_u (local.get $pages) (memory.size))
      (then
        (if (i32.eq (memory.grow (i32.sub (local.get $pages) (memory.size))) (i32.const -1))
          (then unreachable))))
    (global.set $heap (i32.and (i32.add (local.get $end) (i32.const 7)) (i32.const -8)))
    (local.get $p))

  (func (export "run") (param $ptr i32) (param $len i32) (result i64)
    (local $files i32)
    (local $f i32)
    (local $total i64)
    (local $offset i64)
    (local $got i32)
    (local $i i32)
    (local $b i32)
    (local $space i32)
    (local $in_word i32)
    (local $words i64)
    (local $lines i64)
    (local $bytes i64)
    (local.set $files (call $file_count))
    ;; the bytes to read, for progress
    (block $sized
      (loop $size_next
        (br_if $sized (i32.ge_u (local.get $f) (local.get $files)))
        (local.set $total (i64.add (local.get $total) (call $file_size (local.get $f))))
        (local.set $f (i32.add (local.get $f) (i32.const 1)))
        (br $size_next)))
    (local.set $f (i32.const 0))
    (block $all_read
      (loop $next_file
        (br_if $all_read (i32.ge_u (local.get $f) (local.get $files)))
        (local.set $offset (i64.const 0))
        (local.set $in_word (i32.const 0))
        (block $eof
          (loop $next_range
            (local.set $got (call $file_read (local.get $f) (local.get $offset) (i32.const 65536) (i32.const 65536)))
            (br_if $eof (i32.eqz (local.get $got)))
            (local.set $i (i32.const 0))
            (loop $next_byte
              (local.set $b (i32.load8_u offset=65536 (local.get $i)))
              (local.set $space
                (i32.or (i32.eq (local.get $b) (i32.const 32))
                        (i32.le_u (i32.sub (local.get $b) (i32.const 9)) (i32.const 4))))
              (if (i32.eq (local.get $b) (i32.const 10))
                (then (local.set $lines (i64.add (local.get $lines) (i64.const 1)))))
              ;; a word is counted at its first byte
              (if (i32.and (i32.eqz (local.get $space)) (i32.eqz (local.get $in_word)))
                (then (local.set $words (i64.add (local.get $words) (i64.const 1)))))
              (local.set $in_word (i32.eqz (local.get $space)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $next_byte (i32.lt_u (local.get $i) (local.get $got))))
            (local.set $offset (i64.add (local.get $offset) (i64.extend_i32_u (local.get $got))))
            (local.set $bytes (i64.add (local.get $bytes) (i64.extend_i32_u (local.get $got))))
            (call $progress (f64.div (f64.convert_i64_u (local.get $bytes)) (f64.convert_i64_u (local.get $total))))
            (br $next_range)))
        (local.set $f (i32.add (local.get $f) (i32.const 1)))
        (br $next_file)))
    (i64.store (i32.const 0) (local.get $words))
    (i64.store (i32.const 8) (local.get $lines))
    (i64.store (i32.const 16) (local.get $bytes))
    ;; output at 0, 24 bytes long
    (i64.const 24))

  ;; Appends the len bytes at src to the merge output.
  (func $emit (param $src i32) (param $len i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (i32.store8 (i32.add (global.get $out) (local.get $i)) (i32.load8_u (i32.add (local.get $src) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (global.set $out (i32.add (global.get $out) (local.get $len))))

  ;; Appends v in decimal to the merge output.
  (func $emit_u64 (param $v i64)
    (local $i i32)
    (local.set $i (i32.const 1128))
    (loop $digit
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (i32.store8 (local.get $i) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $v) (i64.const 0))))
    (call $emit (local.get $i) (i32.sub (i32.const 1128) (local.get $i))))

  ;; Input: the units' outputs, each as a little-endian u32 length and its 24 bytes.
  (func (export "merge") (param $ptr i32) (param $len i32) (result i64)
    (local $p i32)
    (local $end i32)
    (local $words i64)
    (local $lines i64)
    (local $bytes i64)
    (local $units i64)
    (local.set $p (local.get $ptr))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (if (i32.gt_u (i32.add (local.get $p) (i32.const 28)) (local.get $end)) (then unreachable))
        (if (i32.ne (i32.load (local.get $p)) (i32.const 24)) (then unreachable))
        (local.set $words (i64.add (local.get $words) (i64.load offset=4 (local.get $p))))
        (local.set $lines (i64.add (local.get $lines) (i64.load offset=12 (local.get $p))))
        (local.set $bytes (i64.add (local.get $bytes) (i64.load offset=20 (local.get $p))))
        (local.set $units (i64.add (local.get $units) (i64.const 1)))
        (local.set $p (i32.add (local.get $p) (i32.const 28)))
        (br $next)))
    (call $emit (i32.const 1024) (i32.const 9))
    (call $emit_u64 (local.get $words))
    (call $emit (i32.const 1033) (i32.const 9))
    (call $emit_u64 (local.get $lines))
    (call $emit (i32.const 1042) (i32.const 9))
    (call $emit_u64 (local.get $bytes))
    (call $emit (i32.const 1051) (i32.const 9))
    (call $emit_u64 (local.get $units))
    (call $emit (i32.const 1060) (i32.const 1))
    (i64.or (i64.shl (i64.const 2048) (i64.const 32))
            (i64.extend_i32_u (i32.sub (global.get $out) (i32.const 2048))))))
