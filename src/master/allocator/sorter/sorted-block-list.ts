/**
 * A sorted sequence stored as a list of small sorted blocks (at most
 * 2 × blockSize items each). Insert and remove cost a binary search over
 * blocks, one inside a block and a splice of at most 2 × blockSize items,
 * instead of shifting the whole sequence; in-order iteration stays a plain
 * nested loop. The DRF sorter moves one client per allocation, thousands of
 * times per allocation round, through sequences of thousands of clients.
 *
 * The comparator must be a total order over the stored items, and an item's
 * key must not change while it is stored (remove it, change it, insert it).
 */
export class SortedBlockList<T> {
  readonly #compare: (a: T, b: T) => number;
  readonly #blockSize: number;
  #blocks: T[][] = [];
  #size = 0;

  constructor(compare: (a: T, b: T) => number, blockSize = 64) {
    this.#compare = compare;
    this.#blockSize = blockSize;
  }

  get size(): number {
    return this.#size;
  }

  /** Replace the contents with `items`, which must already be sorted. */
  reset(items: readonly T[]): void {
    const blocks: T[][] = [];
    for (let i = 0; i < items.length; i += this.#blockSize) blocks.push(items.slice(i, i + this.#blockSize));
    this.#blocks = blocks;
    this.#size = items.length;
  }

  insert(item: T): void {
    const blocks = this.#blocks;
    if (blocks.length === 0) {
      blocks.push([item]);
      this.#size = 1;
      return;
    }
    const b = this.#blockFor(item);
    const block = blocks[b]!;
    let lo = 0;
    let hi = block.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#compare(block[mid]!, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    block.splice(lo, 0, item);
    this.#size++;
    if (block.length > 2 * this.#blockSize) blocks.splice(b + 1, 0, block.splice(this.#blockSize));
  }

  /** Remove the item comparing equal to `item`; false if there is none. */
  remove(item: T): boolean {
    const blocks = this.#blocks;
    if (blocks.length === 0) return false;
    const b = this.#blockFor(item);
    const block = blocks[b]!;
    let lo = 0;
    let hi = block.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const cmp = this.#compare(block[mid]!, item);
      if (cmp === 0) {
        block.splice(mid, 1);
        this.#size--;
        if (block.length === 0) blocks.splice(b, 1);
        return true;
      }
      if (cmp < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** First item (in order) for which `visit` returns true, or undefined. */
  find(visit: (item: T) => boolean): T | undefined {
    const blocks = this.#blocks;
    for (let b = 0; b < blocks.length; b++) {
      const block = blocks[b]!;
      for (let i = 0; i < block.length; i++) {
        const item = block[i]!;
        if (visit(item)) return item;
      }
    }
    return undefined;
  }

  toArray(): T[] {
    return this.#blocks.flat();
  }

  /** Index of the block that holds (or should hold) `item`: the first whose last item is >= it. */
  #blockFor(item: T): number {
    const blocks = this.#blocks;
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const block = blocks[mid]!;
      if (this.#compare(block[block.length - 1]!, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
