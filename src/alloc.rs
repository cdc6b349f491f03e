//! The wasm's global allocator: segregated free lists by power-of-two size class, fed by bumping
//! through memory grown a page (64 KiB) at a time. It replaces std's wasm32 default, dlmalloc, for
//! size. Measured with `bench/size-profile.sh` (twiggy, before wasm-opt): dlmalloc was 5.8 KB of
//! code in either entry, this is 0.7 KB; the package-equivalent wasm (gzip -9) went from 103,851 to
//! 101,526 B, and from 85,157 to 83,059 B for the auth entry. Not slower: in `bench/run.sh`'s crypto
//! page (4-5 runs each, alternated, ratios to the original in the same run) the allocation-heavy
//! `ensure-refresh` went from 0.73x to 0.79x the original (medians) and `http-get` from 0.52x to
//! 0.55x; the other rows did not move beyond the noise. The price is memory: a block is its size
//! rounded up to a power of two, and a freed block serves its class only.
//!
//! How it works. A request (size, align) belongs to the class `max(size, align, 8)` rounded up to a
//! power of two, and always gets a whole block of its class, aligned to `min(class, 64 KiB)`. Each
//! class has a list of free blocks (the first word of a free block holds the next one's address):
//! `alloc` pops its class's list, `dealloc` pushes the block on it, both O(1). A class whose list is
//! empty takes a fresh block from the bump region, the end of the memory grown so far; the bytes
//! skipped to align it are cut into blocks of smaller classes and put on their lists, not lost.
//! `realloc` keeps the block while the new size is in the same class, otherwise it allocates,
//! copies and frees (also when shrinking: cutting a large block into smaller classes for good would
//! make a steady workload grow memory forever, as a test below showed). Freed blocks are never
//! merged or split: memory stays in the class it was first cut for, which suits an SDK whose
//! allocations are the same few kinds over and over (strings, small vectors, futures).
//!
//! A request larger than a page is a block of whole pages, page-aligned; an alignment above a page,
//! or memory that cannot grow, is a null pointer (never a panic). No allocation happens inside
//! (`alloc` and `dealloc` touch only the lists and the bump pointers), and there is no locking:
//! wasm32-unknown-unknown without the `atomics` feature runs one thread per instance.
//!
//! [`Heap`] is generic over where pages come from ([`Grow`]), so the algorithm is unit-tested
//! natively over an arena (the tests below); on wasm32 it is the `#[global_allocator]`, over
//! `memory.grow`, and every browser test runs the whole SDK on it.

use core::alloc::Layout;
use core::ptr;

/// A wasm page: what `memory.grow` adds, and the largest alignment a block gets.
pub(crate) const PAGE: usize = 64 * 1024;

/// The smallest class: a free block must hold the address of the next one.
const MIN: usize = core::mem::size_of::<usize>();

/// One list per bit position; class `1 << k` is `free[k]` (the first few are never used).
const CLASSES: usize = usize::BITS as usize;

/// Where a heap's pages come from.
pub(crate) trait Grow {
    /// Adds `pages` pages of zeroed, writable memory and returns the address of the first, a
    /// multiple of [`PAGE`]; `None` when there is no more. Successive answers may or may not be
    /// contiguous.
    fn grow(&mut self, pages: usize) -> Option<usize>;
}

/// The allocator's state: a free list per class and the bump region `bump..end`.
pub(crate) struct Heap<G> {
    /// The first free block of each class (0: none).
    free: [usize; CLASSES],
    /// The next unused byte of the memory grown last.
    bump: usize,
    /// The end of the memory grown last (a multiple of [`PAGE`]).
    end: usize,
    grow: G,
}

/// The class (a power of two, in bytes) of a request.
#[inline]
fn class(size: usize, align: usize) -> usize {
    // A valid Layout's size rounded up to its alignment is at most isize::MAX, so this fits.
    size.max(align).max(MIN).next_power_of_two()
}

impl<G: Grow> Heap<G> {
    /// An empty heap: nothing is grown before the first allocation.
    pub(crate) const fn new(grow: G) -> Self {
        Heap {
            free: [0; CLASSES],
            bump: 0,
            end: 0,
            grow,
        }
    }

    /// A block for `layout`, or null when memory cannot grow or the alignment exceeds a page.
    ///
    /// # Safety
    /// `layout` has a nonzero size (as for `GlobalAlloc::alloc`).
    pub(crate) unsafe fn alloc(&mut self, layout: Layout) -> *mut u8 {
        if layout.align() > PAGE {
            return ptr::null_mut();
        }
        let size = class(layout.size(), layout.align());
        let k = size.trailing_zeros() as usize;
        let head = self.free[k];
        if head != 0 {
            self.free[k] = *(head as *const usize);
            return head as *mut u8;
        }
        let align = size.min(PAGE);
        loop {
            // `end` is a multiple of PAGE, so `start` never passes it.
            let start = (self.bump + align - 1) & !(align - 1);
            if self.end - start >= size {
                self.release(self.bump, align);
                self.bump = start + size;
                return start as *mut u8;
            }
            let pages = (size - (self.end - start)).div_ceil(PAGE);
            let Some(at) = self.grow.grow(pages) else {
                return ptr::null_mut();
            };
            if at != self.end {
                // Not contiguous: the rest of the old region (less than a page, see `release`)
                // goes to the lists.
                debug_assert!(self.end - self.bump < PAGE);
                self.release(self.bump, PAGE);
                self.bump = at;
            }
            self.end = at + pages * PAGE;
        }
    }

    /// Returns a block to its class's list.
    ///
    /// # Safety
    /// `ptr` came from this heap's `alloc` or `realloc` with this `layout` and is not used again.
    pub(crate) unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout) {
        self.push(ptr as usize, class(layout.size(), layout.align()));
    }

    /// The block resized to `new_size`: the same pointer while the class stays the same, otherwise a
    /// new block with the contents copied (and the old one freed), or null with the old block intact.
    ///
    /// # Safety
    /// As for `GlobalAlloc::realloc`: `ptr` came from this heap with `layout`, `new_size` is nonzero
    /// and, rounded up to `layout.align()`, at most `isize::MAX`.
    pub(crate) unsafe fn realloc(
        &mut self,
        ptr: *mut u8,
        layout: Layout,
        new_size: usize,
    ) -> *mut u8 {
        let old = class(layout.size(), layout.align());
        let new = class(new_size, layout.align());
        if new == old {
            return ptr;
        }
        let moved = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
        if !moved.is_null() {
            ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
            self.push(ptr as usize, old);
        }
        moved
    }

    /// Puts the free block `at` of class `size` on its list.
    #[inline]
    unsafe fn push(&mut self, at: usize, size: usize) {
        let k = size.trailing_zeros() as usize;
        *(at as *mut usize) = self.free[k];
        self.free[k] = at;
    }

    /// Cuts the free bytes from `at` (a multiple of [`MIN`]) up to the next multiple of `align` (a
    /// power of two) into blocks, each as large as its address's lowest set bit (so aligned to its
    /// size, and ending where a larger one may start), and puts them on their lists.
    ///
    /// The two callers: the bytes skipped to align a block, and the rest of a bump region that is
    /// abandoned, which is less than a page: after a block is bumped, `end - bump < PAGE` (a grow
    /// adds the fewest pages that make the block fit).
    unsafe fn release(&mut self, mut at: usize, align: usize) {
        while at & (align - 1) != 0 {
            let size = at & at.wrapping_neg();
            self.push(at, size);
            at += size;
        }
    }
}

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::{Grow, Heap, PAGE};
    use core::alloc::{GlobalAlloc, Layout};
    use core::arch::wasm32;
    use core::cell::UnsafeCell;

    #[cfg(target_feature = "atomics")]
    compile_error!(
        "the allocator in src/alloc.rs is single-threaded: build without the atomics feature"
    );

    /// The module's memory 0.
    struct Memory;

    impl Grow for Memory {
        fn grow(&mut self, pages: usize) -> Option<usize> {
            // 65,536 pages would put the end of memory at 2^32, which a 32-bit address cannot hold.
            if wasm32::memory_size(0) + pages >= 1 << 16 {
                return None;
            }
            match wasm32::memory_grow(0, pages) {
                usize::MAX => None,
                before => Some(before * PAGE),
            }
        }
    }

    struct Global(UnsafeCell<Heap<Memory>>);

    // SAFETY: one thread per wasm instance (no atomics, checked above), and no method re-enters.
    unsafe impl Sync for Global {}

    // SAFETY: the heap hands out disjoint blocks of at least the requested size and alignment.
    unsafe impl GlobalAlloc for Global {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            (*self.0.get()).alloc(layout)
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            (*self.0.get()).dealloc(ptr, layout)
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            (*self.0.get()).realloc(ptr, layout, new_size)
        }
    }

    #[global_allocator]
    static GLOBAL: Global = Global(UnsafeCell::new(Heap::new(Memory)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Pages for a heap under test: a PAGE-aligned arena of `capacity` pages handed out in order,
    /// optionally with an unused page between two grows (so that no two regions touch).
    struct Arena {
        base: usize,
        capacity: usize,
        used: usize,
        holes: bool,
        /// Every region handed out, as (start, end).
        granted: Vec<(usize, usize)>,
    }

    impl Arena {
        fn new(capacity: usize, holes: bool) -> Self {
            let layout = Layout::from_size_align(capacity * PAGE, PAGE).unwrap();
            // SAFETY: nonzero size; freed in Drop with the same layout.
            let base = unsafe { std::alloc::alloc_zeroed(layout) } as usize;
            assert_ne!(base, 0);
            Arena {
                base,
                capacity,
                used: 0,
                holes,
                granted: Vec::new(),
            }
        }

        /// Pages handed out so far (holes included).
        fn pages(&self) -> usize {
            self.used
        }
    }

    impl Drop for Arena {
        fn drop(&mut self) {
            let layout = Layout::from_size_align(self.capacity * PAGE, PAGE).unwrap();
            // SAFETY: allocated in new with this layout.
            unsafe { std::alloc::dealloc(self.base as *mut u8, layout) }
        }
    }

    impl Grow for Arena {
        fn grow(&mut self, pages: usize) -> Option<usize> {
            let skip = usize::from(self.holes && self.used > 0);
            if self.used + skip + pages > self.capacity {
                return None;
            }
            self.used += skip;
            let at = self.base + self.used * PAGE;
            self.used += pages;
            self.granted.push((at, at + pages * PAGE));
            Some(at)
        }
    }

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    /// xorshift64*: deterministic inputs without a dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        /// Mostly small sizes, some of a few KB, a few larger than a page.
        fn size(&mut self) -> usize {
            match self.below(100) {
                0..=69 => 1 + self.below(128),
                70..=94 => 1 + self.below(4096),
                95..=98 => 1 + self.below(40_000),
                _ => 1 + self.below(200_000),
            }
        }

        fn align(&mut self) -> usize {
            match self.below(20) {
                0..=13 => 1 << self.below(4),
                14..=18 => 1 << self.below(13),
                _ => 1 << self.below(17),
            }
        }
    }

    /// A live block under test: its layout and the byte its contents are filled with.
    #[derive(Clone, Copy)]
    struct Live {
        size: usize,
        align: usize,
        fill: u8,
    }

    /// Drives a heap and checks every answer: aligned, inside a region the arena granted, its whole
    /// class extent disjoint from every other live block's, contents kept until freed.
    struct Checker {
        heap: Heap<Arena>,
        /// The live blocks by address.
        live: BTreeMap<usize, Live>,
        /// Their addresses in an order that depends only on the steps taken (not on the addresses
        /// the heap chose), so that the same random steps make the same workload.
        order: Vec<usize>,
        fills: u8,
        /// Live blocks per class (by bit position) now, and the most there ever were at once.
        count: [usize; 64],
        peak: [usize; 64],
    }

    impl Checker {
        fn new(arena: Arena) -> Self {
            Checker {
                heap: Heap::new(arena),
                live: BTreeMap::new(),
                order: Vec::new(),
                fills: 0,
                count: [0; 64],
                peak: [0; 64],
            }
        }

        fn insert(&mut self, at: usize, b: Live) {
            let k = Self::extent(b.size, b.align).trailing_zeros() as usize;
            self.count[k] += 1;
            self.peak[k] = self.peak[k].max(self.count[k]);
            self.live.insert(at, b);
        }

        fn remove(&mut self, at: usize) -> Live {
            let b = self.live.remove(&at).expect("a live block");
            self.count[Self::extent(b.size, b.align).trailing_zeros() as usize] -= 1;
            b
        }

        /// The most memory a heap that reuses freed blocks may have grown for this workload: a
        /// class takes new memory only when all its blocks are live, so it has at most its peak of
        /// blocks from the bump region, each after fewer skipped bytes than its size; plus less
        /// than a page not used yet at the end, and, when regions do not touch, what was left at
        /// the end of each abandoned one (less than a page each).
        fn reuse_bound(&self) -> usize {
            let blocks: usize = (0..64).map(|k| self.peak[k] << k).sum();
            let regions = self.heap.grow.granted.len();
            2 * blocks
                + PAGE
                + if self.heap.grow.holes {
                    regions * PAGE
                } else {
                    0
                }
        }

        /// The bytes of memory the arena handed out (holes not counted).
        fn granted(&self) -> usize {
            self.heap.grow.granted.iter().map(|&(s, e)| e - s).sum()
        }

        /// What the block may use: the whole of its class (realloc keeps the pointer up to there).
        fn extent(size: usize, align: usize) -> usize {
            size.max(align).max(8).next_power_of_two()
        }

        fn check_new(&self, at: usize, size: usize, align: usize) {
            assert_ne!(at, 0, "out of memory for {size} bytes aligned to {align}");
            assert_eq!(at % align, 0, "{at:#x} not aligned to {align}");
            let end = at + Self::extent(size, align);
            assert!(
                self.heap
                    .grow
                    .granted
                    .iter()
                    .any(|&(s, e)| s <= at && end <= e),
                "{at:#x}..{end:#x} outside the grown memory"
            );
            if let Some((&prev, b)) = self.live.range(..at).next_back() {
                let prev_end = prev + Self::extent(b.size, b.align);
                assert!(prev_end <= at, "{at:#x} overlaps the block at {prev:#x}");
            }
            if let Some((&next, _)) = self.live.range(at..).next() {
                assert!(
                    end <= next,
                    "{at:#x}..{end:#x} overlaps the block at {next:#x}"
                );
            }
        }

        fn next_fill(&mut self) -> u8 {
            self.fills = self.fills.wrapping_add(1);
            self.fills
        }

        fn alloc(&mut self, size: usize, align: usize) {
            // SAFETY: nonzero size.
            let at = unsafe { self.heap.alloc(layout(size, align)) } as usize;
            self.check_new(at, size, align);
            let fill = self.next_fill();
            // SAFETY: the block has at least `size` bytes, checked free of other blocks.
            unsafe { ptr::write_bytes(at as *mut u8, fill, size) };
            self.insert(at, Live { size, align, fill });
            self.order.push(at);
        }

        fn assert_contents(at: usize, len: usize, fill: u8) {
            // SAFETY: a live block of at least `len` bytes.
            let bytes = unsafe { std::slice::from_raw_parts(at as *const u8, len) };
            if let Some(i) = bytes.iter().position(|&b| b != fill) {
                panic!(
                    "block at {at:#x}: byte {i} is {:#x}, written {fill:#x}",
                    bytes[i]
                );
            }
        }

        /// Frees the `i`th block of `order`.
        fn dealloc(&mut self, i: usize) {
            let at = self.order.swap_remove(i);
            let b = self.remove(at);
            Self::assert_contents(at, b.size, b.fill);
            // SAFETY: allocated by this heap with this layout.
            unsafe { self.heap.dealloc(at as *mut u8, layout(b.size, b.align)) };
        }

        /// Resizes the `i`th block of `order`.
        fn realloc(&mut self, i: usize, new_size: usize) {
            let at = self.order[i];
            let b = self.remove(at);
            Self::assert_contents(at, b.size, b.fill);
            // SAFETY: allocated by this heap with this layout; new_size is nonzero and small.
            let moved = unsafe {
                self.heap
                    .realloc(at as *mut u8, layout(b.size, b.align), new_size)
            } as usize;
            if Self::extent(new_size, b.align) == Self::extent(b.size, b.align) {
                assert_eq!(moved, at, "a realloc within the class moved the block");
            }
            self.check_new(moved, new_size, b.align);
            Self::assert_contents(moved, b.size.min(new_size), b.fill);
            let fill = self.next_fill();
            // SAFETY: the block has at least `new_size` bytes.
            unsafe { ptr::write_bytes(moved as *mut u8, fill, new_size) };
            self.insert(
                moved,
                Live {
                    size: new_size,
                    fill,
                    ..b
                },
            );
            self.order[i] = moved;
        }

        /// One random step: allocate (below `max_live` blocks), free or resize a live block.
        fn step(&mut self, rng: &mut Rng, max_live: usize) {
            let n = self.order.len();
            match rng.below(10) {
                0..=4 if n < max_live => {
                    let (size, align) = (rng.size(), rng.align());
                    self.alloc(size, align);
                }
                0..=6 if n > 0 => self.dealloc(rng.below(n)),
                _ if n > 0 => {
                    let (i, new_size) = (rng.below(n), rng.size());
                    self.realloc(i, new_size);
                }
                _ => {}
            }
        }

        fn free_all(&mut self) {
            while !self.order.is_empty() {
                self.dealloc(self.order.len() - 1);
            }
        }
    }

    #[test]
    fn random_workloads_get_aligned_disjoint_blocks_that_keep_their_contents() {
        for seed in 1..=8u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            // Odd seeds: regions that never touch, so the bump region is abandoned at every grow.
            let mut checker = Checker::new(Arena::new(1024, seed % 2 == 1));
            for _ in 0..20_000 {
                checker.step(&mut rng, 300);
            }
            let (granted, bound) = (checker.granted(), checker.reuse_bound());
            assert!(
                granted <= bound,
                "seed {seed}: grew {granted} B, bound {bound} B"
            );
            checker.free_all();
        }
    }

    #[test]
    fn a_steady_workload_grows_memory_only_up_to_its_peak_needs() {
        // 120,000 random steps with at most 200 blocks live allocate some hundred times more bytes
        // than are ever live at once; memory must stay within what the peaks need.
        let mut rng = Rng(0x5eed);
        let mut checker = Checker::new(Arena::new(4096, false));
        let mut pages = Vec::new();
        for _ in 0..12 {
            for _ in 0..10_000 {
                checker.step(&mut rng, 200);
            }
            pages.push(checker.heap.grow.pages());
            assert!(
                checker.granted() <= checker.reuse_bound(),
                "grew {} B, bound {} B; pages after each 10,000 steps: {pages:?}",
                checker.granted(),
                checker.reuse_bound()
            );
        }
        checker.free_all();
    }

    #[test]
    fn replaying_a_workload_after_freeing_everything_grows_nothing() {
        // Blocks are never split or merged, so each class keeps as many blocks as the workload ever
        // had live in it at once: a replay of the same steps needs no new memory.
        for seed in [3u64, 4, 5] {
            let mut checker = Checker::new(Arena::new(1024, seed == 5));
            let mut pages = Vec::new();
            for _ in 0..3 {
                let mut rng = Rng(seed);
                for _ in 0..10_000 {
                    checker.step(&mut rng, 200);
                }
                checker.free_all();
                pages.push(checker.heap.grow.pages());
            }
            assert!(pages[0] > 1, "seed {seed}: {pages:?}");
            assert_eq!(pages, [pages[0]; 3], "seed {seed}: memory grew on a replay");
        }
    }

    #[test]
    fn freed_blocks_are_reused_by_their_class() {
        let mut heap = Heap::new(Arena::new(8, false));
        unsafe {
            let a = heap.alloc(layout(24, 8)); // class 32
            let b = heap.alloc(layout(100, 4)); // class 128
            heap.dealloc(a, layout(24, 8));
            heap.dealloc(b, layout(100, 4));
            assert_eq!(heap.alloc(layout(32, 1)), a);
            assert_eq!(heap.alloc(layout(65, 64)), b);
            // LIFO within a class
            let c = heap.alloc(layout(20, 4));
            let d = heap.alloc(layout(20, 4));
            heap.dealloc(c, layout(20, 4));
            heap.dealloc(d, layout(20, 4));
            assert_eq!(heap.alloc(layout(17, 1)), d);
            assert_eq!(heap.alloc(layout(17, 1)), c);
        }
        assert_eq!(heap.grow.pages(), 1);
    }

    #[test]
    fn the_bytes_skipped_for_alignment_feed_the_smaller_classes() {
        let mut heap = Heap::new(Arena::new(8, false));
        unsafe {
            let p = heap.alloc(layout(8, 8)) as usize;
            assert_eq!(p % PAGE, 0, "the first block starts the first page");
            // class 4096 skips p+8..p+4096: blocks of 8, 16, ..., 2048 at p+8, p+16, ..., p+2048
            assert_eq!(heap.alloc(layout(4096, 1)) as usize, p + 4096);
            for size in [8, 16, 32, 64, 128, 256, 512, 1024, 2048] {
                assert_eq!(
                    heap.alloc(layout(size, 1)) as usize,
                    p + size,
                    "class {size}"
                );
            }
            assert_eq!(heap.alloc(layout(8, 8)) as usize, p + 8192);
        }
        assert_eq!(heap.grow.pages(), 1);
    }

    #[test]
    fn realloc_keeps_the_block_within_its_class_and_moves_it_otherwise() {
        let mut heap = Heap::new(Arena::new(8, false));
        unsafe {
            let p = heap.alloc(layout(1000, 8)); // class 1024, at the start of the page
            assert_eq!(p as usize % PAGE, 0);
            ptr::write_bytes(p, 7, 1000);
            assert_eq!(heap.realloc(p, layout(1000, 8), 1024), p);
            assert_eq!(heap.realloc(p, layout(1024, 8), 513), p);
            // growing past the class: a new block (after the first: p+1024, aligned to its 2048)
            // with the contents, and the old one back on its list
            let q = heap.realloc(p, layout(513, 8), 1500);
            assert_eq!(q, p.add(2048));
            Checker::assert_contents(q as usize, 513, 7);
            assert_eq!(heap.alloc(layout(1024, 1)), p);
            // shrinking to a smaller class moves too (the 2048 block stays whole, in its class)
            let r = heap.realloc(q, layout(1500, 8), 100);
            assert_ne!(r, q);
            Checker::assert_contents(r as usize, 100, 7);
            assert_eq!(heap.alloc(layout(2048, 1)), q);
        }
        assert_eq!(heap.grow.pages(), 1);
    }

    #[test]
    fn blocks_larger_than_a_page_are_whole_pages_and_are_reused() {
        let mut heap = Heap::new(Arena::new(16, false));
        unsafe {
            let small = heap.alloc(layout(10, 1)) as usize;
            let big = heap.alloc(layout(100_000, 8)); // class 128 KiB: 2 pages
            assert_eq!(big as usize % PAGE, 0);
            assert_eq!(
                big as usize,
                small - small % PAGE + PAGE,
                "the next page after the small block's"
            );
            assert_eq!(heap.grow.pages(), 3);
            heap.dealloc(big, layout(100_000, 8));
            assert_eq!(heap.alloc(layout(70_000, 4096)), big);
            assert_eq!(heap.grow.pages(), 3);
        }
    }

    #[test]
    fn exhausted_memory_is_a_null_pointer_and_the_heap_stays_usable() {
        let mut heap = Heap::new(Arena::new(4, false));
        unsafe {
            let mut blocks = Vec::new();
            loop {
                let p = heap.alloc(layout(16 * 1024, 8));
                if p.is_null() {
                    break;
                }
                blocks.push(p);
            }
            assert_eq!(blocks.len(), 16, "4 pages of 16 KiB blocks");
            assert!(heap.alloc(layout(5 * PAGE, 1)).is_null());
            assert!(
                heap.alloc(layout(8, PAGE * 2)).is_null(),
                "alignment above a page"
            );
            // a realloc that cannot grow leaves the block where it was, contents intact
            let p = blocks[3];
            ptr::write_bytes(p, 9, 16 * 1024);
            assert!(heap.realloc(p, layout(16 * 1024, 8), 40_000).is_null());
            Checker::assert_contents(p as usize, 16 * 1024, 9);
            heap.dealloc(p, layout(16 * 1024, 8));
            assert_eq!(heap.alloc(layout(10_000, 8)), p);
        }
    }

    #[test]
    fn the_rest_of_a_region_is_kept_when_the_next_one_is_elsewhere() {
        let mut heap = Heap::new(Arena::new(8, true));
        unsafe {
            let a = heap.alloc(layout(40_000, 8)) as usize; // class 64 KiB: fills the first page
            let b = heap.alloc(layout(8, 8)) as usize; // a second page, after a hole
            assert_eq!(b, a + 2 * PAGE);
            // the next region starts after another hole: b+8..b+PAGE goes to the lists first
            let c = heap.alloc(layout(40_000, 8)) as usize;
            assert_eq!(c, b + 2 * PAGE);
            assert_eq!(heap.alloc(layout(32 * 1024, 8)) as usize, b + 32 * 1024);
            assert_eq!(heap.alloc(layout(8, 8)) as usize, b + 8);
        }
    }
}
