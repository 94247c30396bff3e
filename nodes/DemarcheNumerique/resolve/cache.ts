/**
 * Memoises lookups for one node execution (labels of a démarche, instructeurs of a dossier,
 * descriptors of a démarche), so N items cost one request per distinct key, not N. Stores the
 * promise, so concurrent items share one request; a failed lookup is forgotten so the next item
 * can retry it.
 */
export class ExecutionCache {
	private readonly entries = new Map<string, Promise<unknown>>();

	async get<T>(key: string, load: () => Promise<T>): Promise<T> {
		const existing = this.entries.get(key);
		if (existing) return existing as Promise<T>;
		const pending = load();
		this.entries.set(key, pending);
		pending.catch(() => this.entries.delete(key));
		return pending;
	}

	set<T>(key: string, value: T): void {
		this.entries.set(key, Promise.resolve(value));
	}

	has(key: string): boolean {
		return this.entries.has(key);
	}
}
