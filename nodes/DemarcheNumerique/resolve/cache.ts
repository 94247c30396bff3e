import type { IDataObject } from 'n8n-workflow';

import type { DnFunctions, GraphqlDocument } from '../transport';
import { graphqlRequest } from '../transport';

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

/** One read of the platform per execution and key: the document's `data`, shaped by `pick`. */
export async function readOnce<T>(
	ctx: DnFunctions,
	cache: ExecutionCache,
	key: string,
	document: GraphqlDocument,
	itemIndex: number | undefined,
	pick: (data: IDataObject | null) => T,
): Promise<T> {
	return await cache.get(key, async () => {
		const { data } = await graphqlRequest.call(ctx, document, { intent: 'read', itemIndex });
		return pick(data as IDataObject | null);
	});
}
