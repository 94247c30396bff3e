import { createHash } from 'crypto';

import { ANNOTATION_VALUE_KEYS, MUTATION_NAMES } from '../graphql/mutations';
import type { Document } from '../graphql/queries';
import type { DnFunctions } from '../transport';
import { getDnCredentials, graphqlRequest } from '../transport';
import type { ExecutionCache } from './cache';

/**
 * What is known of each server and credential, kept for the process lifetime: a server's schema
 * does not change between executions, and forks (mes-démarches) or older instances lack some
 * mutations. Keyed by a hash of the token, never the token itself.
 */
export const serverCapabilities = {
	/** The server's mutation names, learnt by introspection. */
	mutationNames: new Map<string, Promise<Set<string>>>(),
	/** Mutations found missing by their use (when introspection was refused). */
	missing: new Map<string, Set<string>>(),
	/** The server's AnnotationValueInput keys, learnt by introspection. */
	annotationValueKeys: new Map<string, Promise<Set<string>>>(),
};

function serverKey(baseUrl: string, token: string): string {
	return `${baseUrl}#${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
}

/**
 * A set of names learnt by introspection once per process and server (`memory`), shared by the
 * items of an execution (`cacheKey`). Introspection refused or failed gives an empty set, meaning
 * "unknown", kept for this execution only so the next one asks again.
 */
async function introspectOnce(
	ctx: DnFunctions,
	cache: ExecutionCache,
	itemIndex: number | undefined,
	learnt: { cacheKey: string; memory: Map<string, Promise<Set<string>>>; document: Document; names: (data: unknown) => Array<{ name: string }> | undefined },
): Promise<Set<string>> {
	return await cache.get(learnt.cacheKey, async () => {
		const { baseUrl, token } = await getDnCredentials(ctx);
		const key = serverKey(baseUrl, token);
		const known = learnt.memory.get(key);
		if (known) return await known;
		const pending = (async () => {
			const { data } = await graphqlRequest.call(ctx, { ...learnt.document }, { intent: 'read', itemIndex });
			return new Set((learnt.names(data) ?? []).map((field) => field.name));
		})().catch(() => {
			learnt.memory.delete(key);
			return new Set<string>();
		});
		learnt.memory.set(key, pending);
		return await pending;
	});
}

/** The names of the server's mutations, learnt by introspection once per process and server. */
export async function getMutationNames(
	ctx: DnFunctions,
	cache: ExecutionCache,
	itemIndex?: number,
): Promise<Set<string>> {
	return await introspectOnce(ctx, cache, itemIndex, {
		cacheKey: 'capabilities:mutations',
		memory: serverCapabilities.mutationNames,
		document: MUTATION_NAMES,
		names: (data) => (data as { __schema?: { mutationType?: { fields?: Array<{ name: string }> } } } | null)?.__schema?.mutationType?.fields,
	});
}

/**
 * The value keys the server's dossierModifierAnnotations accepts (PR #13561 added eight), learnt
 * once per process and server; undefined when introspection is refused (the platform then says
 * which key it does not know).
 */
export async function getAnnotationValueKeys(
	ctx: DnFunctions,
	cache: ExecutionCache,
	itemIndex?: number,
): Promise<Set<string> | undefined> {
	const keys = await introspectOnce(ctx, cache, itemIndex, {
		cacheKey: 'capabilities:annotationValueKeys',
		memory: serverCapabilities.annotationValueKeys,
		document: ANNOTATION_VALUE_KEYS,
		names: (data) => (data as { __type?: { inputFields?: Array<{ name: string }> } | null } | null)?.__type?.inputFields,
	});
	return keys.size ? keys : undefined;
}

/**
 * Whether the server has a mutation. A server that refuses introspection is assumed to be a
 * current one (true); callers fall back, and call markMissing, when the mutation turns out absent.
 */
export async function hasMutation(
	ctx: DnFunctions,
	cache: ExecutionCache,
	name: string,
	itemIndex?: number,
): Promise<boolean> {
	const { baseUrl, token } = await getDnCredentials(ctx);
	if (serverCapabilities.missing.get(serverKey(baseUrl, token))?.has(name)) return false;
	const names = await getMutationNames(ctx, cache, itemIndex);
	return names.size === 0 || names.has(name);
}

/** Remembers, for the process lifetime, that the server lacks a mutation (its validation error said so). */
export async function markMissing(ctx: DnFunctions, name: string): Promise<void> {
	const { baseUrl, token } = await getDnCredentials(ctx);
	const key = serverKey(baseUrl, token);
	serverCapabilities.missing.set(key, new Set([...(serverCapabilities.missing.get(key) ?? []), name]));
}

/** A GraphQL validation error saying the server has no such field on Mutation. */
export function isMissingFieldError(error: unknown, field: string): boolean {
	const message = (error as { message?: string })?.message ?? '';
	return message.includes(field) && /doesn.t exist|not exist|cannot query field|undefined field/i.test(message);
}
