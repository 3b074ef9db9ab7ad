;; The built-in "mandelbrot" app as a WebAssembly module: the same unit input bytes as
;; MandelbrotApp.run give the same output bytes (a MandelbrotBand: 'M' 'B' 1, varint width, rowFrom,
;; rowTo, maxIterations, then each row's runs of equal escape counts as varint length, varint count).
;; Browsers run it; BuiltInModulesTest checks it against the Java app over many random tiles.
;;
;; The arithmetic is MandelbrotApp's, operation for operation, in IEEE binary64 with round-to-nearest
;; and no fused multiply-add (WebAssembly's f64 ops and Java's double ops are both exactly that):
;;   dx = (xMax - xMin) / width, dy = (yMax - yMin) / height,
;;   ci = yMax - (row + 0.5) * dy, cr = xMin + (col + 0.5) * dx,
;;   zr2 = zr * zr, zi2 = zi * zi, stop when zr2 + zi2 > 4, zi = 2 * zr * zi + ci, zr = zr2 - zi2 + cr.
;; Only counts leave the module, so NaN bit patterns (the one non-determinism of wasm floats) never matter.
;;
;; The input must be exactly what the coordinator writes (MandelbrotApp.unitInput): fields in its order,
;; coordinates as Double.toHexString text. Anything else traps (the Java app is more lenient in field
;; order and number syntax, but never receives other inputs from a coordinator).
;;
;; Memory: 1024..5119 the input, 8184..8191 the checkpoint prefix (next row, band length), 8192.. the band.
(module
  (import "enjambre" "progress" (func $progress (param f64)))
  (import "enjambre" "checkpoint_due" (func $checkpoint_due (result i32)))
  (import "enjambre" "checkpoint" (func $checkpoint (param i32 i32)))
  (import "enjambre" "restore" (func $restore (param i32 i32) (result i32)))

  (memory (export "memory") 1)
  (data (i32.const 256) "{\22width\22:")
  (data (i32.const 272) ",\22height\22:")
  (data (i32.const 288) ",\22xMin\22:\22")
  (data (i32.const 304) "\22,\22xMax\22:\22")
  (data (i32.const 320) "\22,\22yMin\22:\22")
  (data (i32.const 336) "\22,\22yMax\22:\22")
  (data (i32.const 352) "\22,\22maxIterations\22:")
  (data (i32.const 384) ",\22rowFrom\22:")
  (data (i32.const 400) ",\22rowTo\22:")
  (data (i32.const 416) "}")
  (data (i32.const 420) "0x")

  (global $in i32 (i32.const 1024))
  (global $inMax i32 (i32.const 4096))
  (global $pos (mut i32) (i32.const 0))
  (global $end (mut i32) (i32.const 0))
  (global $out (mut i32) (i32.const 0))
  (global $BAND i32 (i32.const 8192))
  (global $MAX_SIDE i64 (i64.const 8192))
  (global $MAX_ITERATIONS i64 (i64.const 100000))

  ;; The input goes at 1024; at most 4096 bytes.
  (func (export "alloc") (param $len i32) (result i32)
    (if (i32.gt_u (local.get $len) (global.get $inMax)) (then unreachable))
    (global.get $in))

  ;; Grows memory so that [0, end) is inside it; traps when it cannot.
  (func $reserve (param $end i32)
    (local $pages i32)
    (local.set $pages (i32.add (i32.shr_u (local.get $end) (i32.const 16)) (i32.const 1)))
    (if (i32.gt_u (local.get $pages) (memory.size))
      (then
        (if (i32.eq (memory.grow (i32.sub (local.get $pages) (memory.size))) (i32.const -1))
          (then unreachable)))))

  ;; Consumes the len bytes at lit from the input, trapping when the input does not continue with them.
  (func $expect (param $lit i32) (param $len i32)
    (local $i i32)
    (if (i32.gt_u (i32.add (global.get $pos) (local.get $len)) (global.get $end)) (then unreachable))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (if (i32.ne (i32.load8_u (i32.add (global.get $pos) (local.get $i)))
                    (i32.load8_u (i32.add (local.get $lit) (local.get $i))))
          (then unreachable))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (global.set $pos (i32.add (global.get $pos) (local.get $len))))

  ;; Reads a non-negative integer as Jackson writes it (no sign, no leading zero); at most 18 digits.
  (func $number (result i64)
    (local $v i64)
    (local $digits i32)
    (local $c i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (global.get $pos) (global.get $end)))
        (local.set $c (i32.sub (i32.load8_u (global.get $pos)) (i32.const 48)))
        (br_if $done (i32.gt_u (local.get $c) (i32.const 9)))
        (if (i32.and (i32.eqz (local.get $c)) (i32.eqz (local.get $digits)))
          (then
            ;; a leading zero is only allowed as the number 0 itself
            (if (i32.lt_u (i32.add (global.get $pos) (i32.const 1)) (global.get $end))
              (then
                (if (i32.le_u (i32.sub (i32.load8_u offset=1 (global.get $pos)) (i32.const 48)) (i32.const 9))
                  (then unreachable))))))
        (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10)) (i64.extend_i32_u (local.get $c))))
        (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
        (if (i32.gt_u (local.get $digits) (i32.const 18)) (then unreachable))
        (global.set $pos (i32.add (global.get $pos) (i32.const 1)))
        (br $next)))
    (if (i32.eqz (local.get $digits)) (then unreachable))
    (local.get $v))

  ;; An integer field's value, trapping unless min <= v <= max.
  (func $int (param $min i64) (param $max i64) (result i32)
    (local $v i64)
    (local.set $v (call $number))
    (if (i32.or (i64.lt_s (local.get $v) (local.get $min)) (i64.gt_s (local.get $v) (local.get $max)))
      (then unreachable))
    (i32.wrap_i64 (local.get $v)))

  ;; Reads a finite double written by Double.toHexString: [-]0x1.<hex>p<exp> or [-]0x0.<hex>p-1022 or [-]0x0.0p0.
  (func $hexDouble (result f64)
    (local $sign i64)
    (local $lead i32)
    (local $mant i64)
    (local $digits i32)
    (local $c i32)
    (local $d i32)
    (local $negative i32)
    (local $exp i64)
    (if (i32.lt_u (global.get $pos) (global.get $end))
      (then
        (if (i32.eq (i32.load8_u (global.get $pos)) (i32.const 45))
          (then
            (local.set $sign (i64.const 0x8000000000000000))
            (global.set $pos (i32.add (global.get $pos) (i32.const 1)))))))
    (call $expect (i32.const 420) (i32.const 2))
    (if (i32.gt_u (i32.add (global.get $pos) (i32.const 2)) (global.get $end)) (then unreachable))
    (local.set $lead (i32.sub (i32.load8_u (global.get $pos)) (i32.const 48)))
    (if (i32.gt_u (local.get $lead) (i32.const 1)) (then unreachable))
    (if (i32.ne (i32.load8_u offset=1 (global.get $pos)) (i32.const 46)) (then unreachable))
    (global.set $pos (i32.add (global.get $pos) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (global.get $pos) (global.get $end)))
      (local.set $c (i32.load8_u (global.get $pos)))
      (local.set $d (i32.const -1))
      (if (i32.le_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 9))
        (then (local.set $d (i32.sub (local.get $c) (i32.const 48)))))
      (if (i32.le_u (i32.sub (local.get $c) (i32.const 97)) (i32.const 5))
        (then (local.set $d (i32.sub (local.get $c) (i32.const 87)))))
      (br_if $done (i32.lt_s (local.get $d) (i32.const 0)))
      (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
      (if (i32.gt_u (local.get $digits) (i32.const 13)) (then unreachable))
      (local.set $mant (i64.or (i64.shl (local.get $mant) (i64.const 4)) (i64.extend_i32_u (local.get $d))))
      (global.set $pos (i32.add (global.get $pos) (i32.const 1)))
      (br $next)))
    (if (i32.eqz (local.get $digits)) (then unreachable))
    (local.set $mant (i64.shl (local.get $mant) (i64.extend_i32_u (i32.shl (i32.sub (i32.const 13) (local.get $digits)) (i32.const 2)))))
    ;; 'p', an optional '-', the decimal exponent
    (if (i32.ge_u (global.get $pos) (global.get $end)) (then unreachable))
    (if (i32.ne (i32.load8_u (global.get $pos)) (i32.const 112)) (then unreachable))
    (global.set $pos (i32.add (global.get $pos) (i32.const 1)))
    (if (i32.lt_u (global.get $pos) (global.get $end))
      (then
        (if (i32.eq (i32.load8_u (global.get $pos)) (i32.const 45))
          (then
            (local.set $negative (i32.const 1))
            (global.set $pos (i32.add (global.get $pos) (i32.const 1)))))))
    (local.set $exp (call $number))
    (if (local.get $negative) (then (local.set $exp (i64.sub (i64.const 0) (local.get $exp)))))
    (if (local.get $lead)
      (then
        (if (i32.or (i64.lt_s (local.get $exp) (i64.const -1022)) (i64.gt_s (local.get $exp) (i64.const 1023)))
          (then unreachable))
        (return (f64.reinterpret_i64 (i64.or (local.get $sign)
          (i64.or (i64.shl (i64.add (local.get $exp) (i64.const 1023)) (i64.const 52)) (local.get $mant)))))))
    ;; 0x0.: zero, or a subnormal (exponent -1022)
    (if (i64.eqz (local.get $mant))
      (then (if (i64.ne (local.get $exp) (i64.const 0)) (then unreachable)))
      (else (if (i64.ne (local.get $exp) (i64.const -1022)) (then unreachable))))
    (f64.reinterpret_i64 (i64.or (local.get $sign) (local.get $mant))))

  ;; Appends v as an unsigned LEB128 varint (shortest form) at $out.
  (func $varint (param $v i32)
    (loop $more
      (if (i32.ge_u (local.get $v) (i32.const 128))
        (then
          (i32.store8 (global.get $out) (i32.or (i32.and (local.get $v) (i32.const 127)) (i32.const 128)))
          (global.set $out (i32.add (global.get $out) (i32.const 1)))
          (local.set $v (i32.shr_u (local.get $v) (i32.const 7)))
          (br $more))))
    (i32.store8 (global.get $out) (local.get $v))
    (global.set $out (i32.add (global.get $out) (i32.const 1))))

  ;; Iterations of z -> z^2 + c from 0 before |z| > 2, at most max (MandelbrotApp.escape, op for op).
  (func $escape (param $cr f64) (param $ci f64) (param $max i32) (result i32)
    (local $zr f64)
    (local $zi f64)
    (local $zr2 f64)
    (local $zi2 f64)
    (local $n i32)
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $n) (local.get $max)))
      (local.set $zr2 (f64.mul (local.get $zr) (local.get $zr)))
      (local.set $zi2 (f64.mul (local.get $zi) (local.get $zi)))
      (br_if $done (f64.gt (f64.add (local.get $zr2) (local.get $zi2)) (f64.const 4)))
      (local.set $zi (f64.add (f64.mul (f64.mul (f64.const 2) (local.get $zr)) (local.get $zi)) (local.get $ci)))
      (local.set $zr (f64.add (f64.sub (local.get $zr2) (local.get $zi2)) (local.get $cr)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $n))

  (func (export "run") (param $ptr i32) (param $len i32) (result i64)
    (local $width i32)
    (local $height i32)
    (local $xMin f64)
    (local $xMax f64)
    (local $yMin f64)
    (local $yMax f64)
    (local $max i32)
    (local $rowFrom i32)
    (local $rowTo i32)
    (local $row i32)
    (local $col i32)
    (local $dx f64)
    (local $dy f64)
    (local $ci f64)
    (local $n i32)
    (local $run i32)
    (local $value i32)
    (local $header i32)
    (local $saved i32)
    (global.set $pos (local.get $ptr))
    (global.set $end (i32.add (local.get $ptr) (local.get $len)))
    (call $expect (i32.const 256) (i32.const 9))
    (local.set $width (call $int (i64.const 1) (global.get $MAX_SIDE)))
    (call $expect (i32.const 272) (i32.const 10))
    (local.set $height (call $int (i64.const 1) (global.get $MAX_SIDE)))
    (call $expect (i32.const 288) (i32.const 9))
    (local.set $xMin (call $hexDouble))
    (call $expect (i32.const 304) (i32.const 10))
    (local.set $xMax (call $hexDouble))
    (call $expect (i32.const 320) (i32.const 10))
    (local.set $yMin (call $hexDouble))
    (call $expect (i32.const 336) (i32.const 10))
    (local.set $yMax (call $hexDouble))
    (call $expect (i32.const 352) (i32.const 18))
    (local.set $max (call $int (i64.const 1) (global.get $MAX_ITERATIONS)))
    (call $expect (i32.const 384) (i32.const 11))
    (local.set $rowFrom (call $int (i64.const 0) (i64.extend_i32_u (i32.sub (local.get $height) (i32.const 1)))))
    (call $expect (i32.const 400) (i32.const 9))
    (local.set $rowTo (call $int (i64.extend_i32_u (i32.add (local.get $rowFrom) (i32.const 1)))
                                 (i64.extend_i32_u (local.get $height))))
    (call $expect (i32.const 416) (i32.const 1))
    (if (i32.ne (global.get $pos) (global.get $end)) (then unreachable))
    (if (i32.eqz (f64.gt (local.get $xMax) (local.get $xMin))) (then unreachable))
    (if (i32.eqz (f64.gt (local.get $yMax) (local.get $yMin))) (then unreachable))

    (call $reserve (i32.add (global.get $BAND) (i32.const 64)))
    (global.set $out (global.get $BAND))
    (i32.store16 (global.get $out) (i32.const 0x424D))
    (i32.store8 offset=2 (global.get $out) (i32.const 1))
    (global.set $out (i32.add (global.get $out) (i32.const 3)))
    (call $varint (local.get $width))
    (call $varint (local.get $rowFrom))
    (call $varint (local.get $rowTo))
    (call $varint (local.get $max))
    (local.set $header (global.get $out))
    (local.set $row (local.get $rowFrom))

    ;; resume from a checkpoint of this band: (next row, band length) at 8184, the band's bytes after it
    (local.set $saved (call $restore (i32.const 8184) (i32.const 0)))
    (if (i32.ge_s (local.get $saved) (i32.sub (local.get $header) (i32.const 8184)))
      (then
        (memory.copy (i32.const 0) (global.get $BAND) (i32.sub (local.get $header) (global.get $BAND)))
        (call $reserve (i32.add (i32.const 8184) (local.get $saved)))
        (drop (call $restore (i32.const 8184) (local.get $saved)))
        (if (i32.and
              (i32.and
                (i32.and (i32.gt_s (i32.load (i32.const 8184)) (local.get $rowFrom))
                         (i32.lt_s (i32.load (i32.const 8184)) (local.get $rowTo)))
                (i32.eq (i32.load (i32.const 8188)) (i32.sub (local.get $saved) (i32.const 8))))
              (call $same (i32.const 0) (global.get $BAND) (i32.sub (local.get $header) (global.get $BAND))))
          (then
            (local.set $row (i32.load (i32.const 8184)))
            (global.set $out (i32.add (global.get $BAND) (i32.load (i32.const 8188)))))
          (else
            ;; not a checkpoint of this band: start over
            (memory.copy (global.get $BAND) (i32.const 0) (i32.sub (local.get $header) (global.get $BAND)))))))

    (local.set $dx (f64.div (f64.sub (local.get $xMax) (local.get $xMin)) (f64.convert_i32_s (local.get $width))))
    (local.set $dy (f64.div (f64.sub (local.get $yMax) (local.get $yMin)) (f64.convert_i32_s (local.get $height))))
    (block $done (loop $rows
      (br_if $done (i32.ge_s (local.get $row) (local.get $rowTo)))
      ;; a row takes at most 2 varints of 3 bytes per pixel
      (call $reserve (i32.add (global.get $out) (i32.mul (local.get $width) (i32.const 6))))
      (local.set $ci (f64.sub (local.get $yMax)
        (f64.mul (f64.add (f64.convert_i32_s (local.get $row)) (f64.const 0.5)) (local.get $dy))))
      (local.set $run (i32.const 0))
      (local.set $col (i32.const 0))
      (block $rowDone (loop $cols
        (br_if $rowDone (i32.ge_s (local.get $col) (local.get $width)))
        (local.set $n (call $escape
          (f64.add (local.get $xMin)
            (f64.mul (f64.add (f64.convert_i32_s (local.get $col)) (f64.const 0.5)) (local.get $dx)))
          (local.get $ci) (local.get $max)))
        (if (i32.and (i32.gt_s (local.get $run) (i32.const 0)) (i32.ne (local.get $n) (local.get $value)))
          (then
            (call $varint (local.get $run))
            (call $varint (local.get $value))
            (local.set $run (i32.const 0))))
        (local.set $value (local.get $n))
        (local.set $run (i32.add (local.get $run) (i32.const 1)))
        (local.set $col (i32.add (local.get $col) (i32.const 1)))
        (br $cols)))
      (call $varint (local.get $run))
      (call $varint (local.get $value))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (if (i32.lt_s (local.get $row) (local.get $rowTo))
        (then
          (call $progress (f64.div (f64.convert_i32_s (i32.sub (local.get $row) (local.get $rowFrom)))
                                   (f64.convert_i32_s (i32.sub (local.get $rowTo) (local.get $rowFrom)))))
          (if (call $checkpoint_due)
            (then
              (i32.store (i32.const 8184) (local.get $row))
              (i32.store (i32.const 8188) (i32.sub (global.get $out) (global.get $BAND)))
              (call $checkpoint (i32.const 8184) (i32.sub (global.get $out) (i32.const 8184)))))))
      (br $rows)))
    (call $progress (f64.const 1))
    (i64.or (i64.shl (i64.extend_i32_u (global.get $BAND)) (i64.const 32))
            (i64.extend_i32_u (i32.sub (global.get $out) (global.get $BAND)))))

  ;; 1 when the len bytes at a and b are equal, else 0.
  (func $same (param $a i32) (param $b i32) (param $len i32) (result i32)
    (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (if (i32.ne (i32.load8_u (i32.add (local.get $a) (local.get $i))) (i32.load8_u (i32.add (local.get $b) (local.get $i))))
        (then (return (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i32.const 1))
)
