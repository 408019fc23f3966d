;; The LZ4 block format's decoder and encoder (https://github.com/lz4/lz4/blob/dev/doc/lz4_Block_format.md)
;; in WebAssembly, for lz4-block.ts. Compiled by scripts/build-wasm.ts into lz4-block.wasm.ts; a unit
;; test checks the two agree.
;;
;; `decode(s, to, at, limit)` decodes the block in memory [s, to) to memory from `at`, writing no
;; decoded byte at or past `limit`, and returns where the decoded bytes end, or a negative code for
;; a corrupt block (lz4-block.ts names them). A match may reach back to `at` only (an independent
;; block). The caller leaves 16 bytes of room after `to` and after `limit`: short literal runs and
;; matches are copied in 8-byte words whose last one may run past the run (LZ4's "wild copy"); what
;; they write past a run is overwritten by the next one before anything reads it, and never past
;; `limit` + 16.
(module
  (memory (export "memory") 1)
  (func (export "decode") (param $s i32) (param $to i32) (param $at i32) (param $limit i32) (result i32)
    (local $d i32) (local $token i32) (local $lit i32) (local $more i32)
    (local $off i32) (local $len i32) (local $m i32) (local $end i32) (local $bytesEnd i32)
    (local.set $d (local.get $at))
    (loop $sequence
      (if (i32.ge_u (local.get $s) (local.get $to)) (then (return (i32.const -1))))
      (local.set $token (i32.load8_u (local.get $s)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      ;; Literals: the token's high nibble, 15 continued by bytes while they are 255.
      (local.set $lit (i32.shr_u (local.get $token) (i32.const 4)))
      (if (i32.eq (local.get $lit) (i32.const 15))
        (then
          (loop $literalLength
            (if (i32.ge_u (local.get $s) (local.get $to)) (then (return (i32.const -2))))
            (local.set $more (i32.load8_u (local.get $s)))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (local.set $lit (i32.add (local.get $lit) (local.get $more)))
            (br_if $literalLength (i32.eq (local.get $more) (i32.const 255))))))
      (if (i32.gt_u (local.get $lit) (i32.sub (local.get $to) (local.get $s))) (then (return (i32.const -3))))
      (if (i32.gt_u (local.get $lit) (i32.sub (local.get $limit) (local.get $d))) (then (return (i32.const -4))))
      (if (i32.le_u (local.get $lit) (i32.const 16))
        (then
          (i64.store (local.get $d) (i64.load (local.get $s)))
          (i64.store offset=8 (local.get $d) (i64.load offset=8 (local.get $s))))
        (else (memory.copy (local.get $d) (local.get $s) (local.get $lit))))
      (local.set $s (i32.add (local.get $s) (local.get $lit)))
      (local.set $d (i32.add (local.get $d) (local.get $lit)))
      ;; The last sequence of a block is literals only.
      (if (i32.eq (local.get $s) (local.get $to)) (then (return (local.get $d))))
      (if (i32.lt_u (i32.sub (local.get $to) (local.get $s)) (i32.const 2)) (then (return (i32.const -5))))
      (local.set $off (i32.load16_u (local.get $s)))
      (local.set $s (i32.add (local.get $s) (i32.const 2)))
      ;; Match length: the token's low nibble, continued likewise, plus the minimum match of 4.
      (local.set $len (i32.and (local.get $token) (i32.const 15)))
      (if (i32.eq (local.get $len) (i32.const 15))
        (then
          (loop $matchLength
            (if (i32.ge_u (local.get $s) (local.get $to)) (then (return (i32.const -6))))
            (local.set $more (i32.load8_u (local.get $s)))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (local.set $len (i32.add (local.get $len) (local.get $more)))
            (br_if $matchLength (i32.eq (local.get $more) (i32.const 255))))))
      (local.set $len (i32.add (local.get $len) (i32.const 4)))
      (if (i32.or (i32.eqz (local.get $off)) (i32.gt_u (local.get $off) (i32.sub (local.get $d) (local.get $at))))
        (then (return (i32.const -7))))
      (if (i32.gt_u (local.get $len) (i32.sub (local.get $limit) (local.get $d))) (then (return (i32.const -4))))
      (local.set $m (i32.sub (local.get $d) (local.get $off)))
      (local.set $end (i32.add (local.get $d) (local.get $len)))
      (if (i32.lt_u (local.get $off) (i32.const 8))
        (then
          ;; A match closer than a word repeats what it is writing: its first 8 bytes one by one.
          ;; The bytes from there on repeat with any multiple of the offset as period, so the rest
          ;; is copied in words from the first multiple of at least 8 (8 to 14 bytes back, all
          ;; within what the match has already written or before it).
          (local.set $bytesEnd
            (select (local.get $end) (i32.add (local.get $d) (i32.const 8)) (i32.lt_u (local.get $len) (i32.const 8))))
          (loop $bytes
            (i32.store8 (local.get $d) (i32.load8_u (local.get $m)))
            (local.set $d (i32.add (local.get $d) (i32.const 1)))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))
            (br_if $bytes (i32.lt_u (local.get $d) (local.get $bytesEnd))))
          (local.set $m
            (i32.sub (local.get $d)
              (i32.mul (local.get $off) (i32.div_u (i32.add (local.get $off) (i32.const 7)) (local.get $off)))))))
      ;; Words: a word read at m ends at or before the word written at d, so it reads only final bytes.
      (block $done
        (br_if $done (i32.ge_u (local.get $d) (local.get $end)))
        (loop $words
          (i64.store (local.get $d) (i64.load (local.get $m)))
          (local.set $d (i32.add (local.get $d) (i32.const 8)))
          (local.set $m (i32.add (local.get $m) (i32.const 8)))
          (br_if $words (i32.lt_u (local.get $d) (local.get $end)))))
      (local.set $d (local.get $end))
      (br $sequence))
    (unreachable))
  ;; `encode(s, end, d, table)` compresses memory [s, end) into an LZ4 block written from `d` and
  ;; returns where the block ends. It is the reference encoder's fast path (lz4.c
  ;; `LZ4_compress_generic`, acceleration 1, as `LZ4_compress_default` runs it on a fresh state), so
  ;; it writes the same bytes: positions relative to `s` in a hash table at `table` (32 KiB, cleared
  ;; here, so position 0 is every entry's first candidate), hashed from 4 bytes into 13 bits for
  ;; inputs under 65,547 bytes (lz4.c's byU16 table) and from 5 bytes into 12 bits above (byU32); a
  ;; search step that grows every 64 misses; a match extended backwards over unmatched literals and
  ;; forwards a word at a time; the position after each match tried at once. The format's end rules
  ;; hold: the last match starts at least 12 bytes before `end` and ends at least 5 before it, the
  ;; rest are literals. Offsets stay within 65,535. The caller leaves room for LZ4's bound
  ;; (n + n/255 + 16) plus 16 bytes after `d`, and 16 readable bytes after `end` (literal runs of
  ;; up to 16 bytes are copied as two words, and a hash reads 8 bytes).
  (func (export "encode") (param $s i32) (param $end i32) (param $d i32) (param $table i32) (result i32)
    (local $ip i32) (local $anchor i32) (local $mflimitPlusOne i32) (local $matchlimit i32)
    (local $fwd i32) (local $step i32) (local $searches i32) (local $slot i32) (local $seq i32)
    (local $match i32) (local $token i32) (local $lit i32) (local $from i32)
    (local $diff i64) (local $wide i32)
    (memory.fill (local.get $table) (i32.const 0) (i32.const 32768))
    (local.set $wide (i32.ge_u (i32.sub (local.get $end) (local.get $s)) (i32.const 65547)))
    (local.set $anchor (local.get $s))
    (block $last
      ;; Blocks under 13 bytes are literals only: no match may start 12 bytes before the end.
      (br_if $last (i32.lt_u (i32.sub (local.get $end) (local.get $s)) (i32.const 13)))
      ;; lz4.c's `mflimitPlusOne`: a match may start up to 12 bytes before the end.
      (local.set $mflimitPlusOne (i32.sub (local.get $end) (i32.const 11)))
      (local.set $matchlimit (i32.sub (local.get $end) (i32.const 5)))
      (i32.store (call $slot (local.get $table) (local.get $s) (local.get $wide)) (i32.const 0))
      (local.set $ip (i32.add (local.get $s) (i32.const 1)))
      (loop $search
        ;; Find a match for the sequence at ip, moving on 1 byte at a time for 64 misses, then 2...
        (local.set $fwd (local.get $ip))
        (local.set $step (i32.const 1))
        (local.set $searches (i32.const 64))
        (loop $probe
          (local.set $ip (local.get $fwd))
          (local.set $fwd (i32.add (local.get $fwd) (local.get $step)))
          (local.set $step (i32.shr_u (local.get $searches) (i32.const 6)))
          (local.set $searches (i32.add (local.get $searches) (i32.const 1)))
          (br_if $last (i32.gt_u (local.get $fwd) (local.get $mflimitPlusOne)))
          (local.set $seq (i32.load (local.get $ip)))
          (local.set $slot (call $slot (local.get $table) (local.get $ip) (local.get $wide)))
          (local.set $match (i32.add (local.get $s) (i32.load (local.get $slot))))
          (i32.store (local.get $slot) (i32.sub (local.get $ip) (local.get $s)))
          (br_if $probe (call $misses (local.get $ip) (local.get $match) (local.get $seq))))
        ;; Extend the match backwards over literals that match too.
        (block $caught
          (loop $back
            (br_if $caught (i32.le_u (local.get $ip) (local.get $anchor)))
            (br_if $caught (i32.le_u (local.get $match) (local.get $s)))
            (br_if $caught
              (i32.ne (i32.load8_u offset=0 (i32.sub (local.get $ip) (i32.const 1)))
                (i32.load8_u offset=0 (i32.sub (local.get $match) (i32.const 1)))))
            (local.set $ip (i32.sub (local.get $ip) (i32.const 1)))
            (local.set $match (i32.sub (local.get $match) (i32.const 1)))
            (br $back)))
        ;; The token, the literal length beyond 15 in bytes of 255, the literals.
        (local.set $lit (i32.sub (local.get $ip) (local.get $anchor)))
        (local.set $token (local.get $d))
        (i32.store8 (local.get $token) (i32.const 0))
        (local.set $d (call $length (i32.add (local.get $d) (i32.const 1)) (local.get $token) (local.get $lit) (i32.const 4)))
        (if (i32.le_u (local.get $lit) (i32.const 16))
          (then
            (i64.store (local.get $d) (i64.load (local.get $anchor)))
            (i64.store offset=8 (local.get $d) (i64.load offset=8 (local.get $anchor))))
          (else (memory.copy (local.get $d) (local.get $anchor) (local.get $lit))))
        (local.set $d (i32.add (local.get $d) (local.get $lit)))
        (loop $sequence
          ;; The offset, then the match's length beyond the minimum of 4, found a word at a time.
          (i32.store16 (local.get $d) (i32.sub (local.get $ip) (local.get $match)))
          (local.set $d (i32.add (local.get $d) (i32.const 2)))
          (local.set $ip (i32.add (local.get $ip) (i32.const 4)))
          (local.set $match (i32.add (local.get $match) (i32.const 4)))
          (local.set $from (local.get $ip))
          (block $counted
            (block $tail
              (loop $words
                (br_if $tail (i32.gt_u (local.get $ip) (i32.sub (local.get $matchlimit) (i32.const 8))))
                (local.set $diff (i64.xor (i64.load (local.get $ip)) (i64.load (local.get $match))))
                (if (i64.ne (local.get $diff) (i64.const 0))
                  (then
                    (local.set $ip
                      (i32.add (local.get $ip) (i32.wrap_i64 (i64.shr_u (i64.ctz (local.get $diff)) (i64.const 3)))))
                    (br $counted)))
                (local.set $ip (i32.add (local.get $ip) (i32.const 8)))
                (local.set $match (i32.add (local.get $match) (i32.const 8)))
                (br $words)))
            ;; The last bytes before the limit, one by one.
            (loop $bytes
              (br_if $counted (i32.ge_u (local.get $ip) (local.get $matchlimit)))
              (br_if $counted (i32.ne (i32.load8_u (local.get $ip)) (i32.load8_u (local.get $match))))
              (local.set $ip (i32.add (local.get $ip) (i32.const 1)))
              (local.set $match (i32.add (local.get $match) (i32.const 1)))
              (br $bytes)))
          (local.set $d (call $length (local.get $d) (local.get $token) (i32.sub (local.get $ip) (local.get $from)) (i32.const 0)))
          (local.set $anchor (local.get $ip))
          (br_if $last (i32.ge_u (local.get $ip) (local.get $mflimitPlusOne)))
          ;; Index the position two bytes back, then try a match right here: a new sequence with no literals.
          (i32.store (call $slot (local.get $table) (i32.sub (local.get $ip) (i32.const 2)) (local.get $wide))
            (i32.sub (i32.sub (local.get $ip) (i32.const 2)) (local.get $s)))
          (local.set $seq (i32.load (local.get $ip)))
          (local.set $slot (call $slot (local.get $table) (local.get $ip) (local.get $wide)))
          (local.set $match (i32.add (local.get $s) (i32.load (local.get $slot))))
          (i32.store (local.get $slot) (i32.sub (local.get $ip) (local.get $s)))
          (if (i32.eqz (call $misses (local.get $ip) (local.get $match) (local.get $seq)))
            (then
              (local.set $token (local.get $d))
              (i32.store8 (local.get $d) (i32.const 0))
              (local.set $d (i32.add (local.get $d) (i32.const 1)))
              (br $sequence))))
        (local.set $ip (i32.add (local.get $ip) (i32.const 1)))
        (br $search)))
    ;; The last literals.
    (local.set $lit (i32.sub (local.get $end) (local.get $anchor)))
    (local.set $token (local.get $d))
    (i32.store8 (local.get $token) (i32.const 0))
    (local.set $d (call $length (i32.add (local.get $d) (i32.const 1)) (local.get $token) (local.get $lit) (i32.const 4)))
    (memory.copy (local.get $d) (local.get $anchor) (local.get $lit))
    (i32.add (local.get $d) (local.get $lit)))

  ;; Where the sequence at `p` has its entry in the hash table: lz4.c's `LZ4_hash4` of 4 bytes
  ;; into 13 bits, or for a `wide` input its `LZ4_hash5` of 5 bytes into 12 bits.
  (func $slot (param $table i32) (param $p i32) (param $wide i32) (result i32)
    (i32.add (local.get $table)
      (i32.shl
        (if (result i32) (local.get $wide)
          (then
            (i32.wrap_i64
              (i64.shr_u
                (i64.mul (i64.shl (i64.load (local.get $p)) (i64.const 24)) (i64.const 889523592379))
                (i64.const 52))))
          (else (i32.shr_u (i32.mul (i32.load (local.get $p)) (i32.const -1640531535)) (i32.const 19))))
        (i32.const 2))))

  ;; Whether the candidate `match` fails as a match for the sequence `seq` at `ip`: farther back
  ;; than an offset can reach, or other bytes.
  (func $misses (param $ip i32) (param $match i32) (param $seq i32) (result i32)
    (i32.or
      (i32.gt_u (i32.sub (local.get $ip) (local.get $match)) (i32.const 65535))
      (i32.ne (i32.load (local.get $match)) (local.get $seq))))

  ;; Writes a length into the token at `token` (its nibble at `shift`: 4 for literals, 0 for a
  ;; match) and, from 15 on, the bytes that continue it from `d`; returns where they end.
  (func $length (param $d i32) (param $token i32) (param $n i32) (param $shift i32) (result i32)
    (if (i32.lt_u (local.get $n) (i32.const 15))
      (then
        (i32.store8 (local.get $token)
          (i32.or (i32.load8_u (local.get $token)) (i32.shl (local.get $n) (local.get $shift))))
        (return (local.get $d))))
    (i32.store8 (local.get $token)
      (i32.or (i32.load8_u (local.get $token)) (i32.shl (i32.const 15) (local.get $shift))))
    (local.set $n (i32.sub (local.get $n) (i32.const 15)))
    (block $short
      (loop $bytes
        (br_if $short (i32.lt_u (local.get $n) (i32.const 255)))
        (i32.store8 (local.get $d) (i32.const 255))
        (local.set $d (i32.add (local.get $d) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 255)))
        (br $bytes)))
    (i32.store8 (local.get $d) (local.get $n))
    (i32.add (local.get $d) (i32.const 1))))
