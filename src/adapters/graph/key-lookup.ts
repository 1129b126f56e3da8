/**
 * Where the item carrying a pair key is, for a store's creations (issue 17): the first few keys of a
 * run are looked up one by one; beyond them — a first synchronization creates thousands — one index
 * of the whole folder, read once, answers the rest, and the store's own creations are added to it.
 * An index that could not be read is asked again at the next lookup.
 */
export class KeyLookup {
  private lookups = 0;
  private index?: Promise<Map<string, string>>;

  constructor(
    private readonly oneByOne: number,
    private readonly lookUp: (key: string) => Promise<string | undefined>,
    private readonly readIndex: () => Promise<Map<string, string>>,
  ) {}

  async where(key: string): Promise<string | undefined> {
    if (!this.index && ++this.lookups <= this.oneByOne) return this.lookUp(key);
    if (!this.index) {
      const index = this.readIndex();
      this.index = index;
      index.catch(() => this.index === index && (this.index = undefined)); // asked again next time
    }
    return (await this.index).get(key);
  }

  /** A creation of the store: found by the index from now on. */
  async created(key: string, id: string): Promise<void> {
    await this.index?.then((index) => index.set(key, id)).catch(() => undefined);
  }

  /** A deletion of the store: its key names nothing any more (a later creation makes a new item). */
  async deleted(id: string): Promise<void> {
    await this.index
      ?.then((index) => {
        for (const [key, at] of index) if (at === id) index.delete(key);
      })
      .catch(() => undefined);
  }
}
