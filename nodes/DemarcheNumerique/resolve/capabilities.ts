import { createHash } from 'crypto';

import { MUTATION_NAMES } from '../graphql/mutations';
import type { DnFunctions } from '../transport';
import { getDnCredentials, graphqlRequest } from '../transport';
import type { ExecutionCache } from './cache';

/**
 * Mutation names per server and credential, kept for the process lifetime: a server's schema does
 * not change between executions, and forks (mes-démarches) or older instances lack some mutations.
 * Keyed by a hash of the token, never the token itself.
 */
const mutationNamesByServer = new Map<string, Promise<Set<string>>>();

function serverKey(baseUrl: string, token: string): string {
	return `${baseUrl}#${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
}

/** Forgets what was learnt about every server (tests, or after a server upgrade). */
export function forgetCapabilities(): void {
	mutationNamesByServer.clear();
}

/** The names of the server's mutations, learnt by introspection once per process and server. */
export async function getMutationNames(
	ctx: DnFunctions,
	cache: ExecutionCache,
	itemIndex?: number,
): Promise<Set<string>> {
	return await cache.get('capabilities:mutations', async () => {
		const { baseUrl, token } = await getDnCredentials(ctx);
		const key = serverKey(baseUrl, token);
		const known = mutationNamesByServer.get(key);
		if (known) return await known;
		const pending = (async () => {
			const { data } = await graphqlRequest.call(ctx, { ...MUTATION_NAMES }, { itemIndex });
			const fields =
				(data as { __schema?: { mutationType?: { fields?: Array<{ name: string }> } } } | null)
					?.__schema?.mutationType?.fields ?? [];
			return new Set(fields.map((field) => field.name));
		})();
		mutationNamesByServer.set(key, pending);
		// A failed introspection is not remembered: the next execution tries again.
		pending.catch(() => mutationNamesByServer.delete(key));
		return await pending;
	});
}

export async function hasMutation(
	ctx: DnFunctions,
	cache: ExecutionCache,
	name: string,
	itemIndex?: number,
): Promise<boolean> {
	return (await getMutationNames(ctx, cache, itemIndex)).has(name);
}
