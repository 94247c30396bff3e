import type { IExecuteFunctions } from 'n8n-workflow';

import { DOSSIER_CONTEXT } from '../graphql';
import type { ExecutionCache } from './cache';
import { readOnce } from './cache';

export interface Profile {
	id: string;
	email: string;
}

/** What DOSSIER_CONTEXT returns: where a dossier lives and who may act on it. */
export interface DossierContext {
	id: string;
	number: number;
	state: string;
	demarche: { number: number };
	groupeInstructeur: { id: string; number: number; label: string; instructeurs: Profile[] };
	instructeurs: Profile[];
}

const contextKey = (dossierNumber: number) => `dossierContext:${dossierNumber}`;

/**
 * A dossier's démarche, groupe and instructeurs, read once per execution and dossier: resolving
 * a label name, an annotation or an acting instructeur's e-mail all need it, and share this read.
 */
export async function getDossierContext(
	ctx: IExecuteFunctions,
	cache: ExecutionCache,
	dossierNumber: number,
	itemIndex?: number,
): Promise<DossierContext> {
	const document = { ...DOSSIER_CONTEXT, variables: { number: dossierNumber } };
	return await readOnce(ctx, cache, contextKey(dossierNumber), document, itemIndex, (data) => {
		const dossier = data?.dossier as DossierContext | null | undefined;
		if (!dossier) throw new Error(`Dossier ${dossierNumber} was not found`);
		return dossier;
	});
}

/** The démarche of the dossier whose context was read last in this execution. */
const LAST_DEMARCHE = 'lastDemarche';

/**
 * Runs `work` with the dossier's démarche number, taken from its context (getDossierContext, the
 * read an instructeur's e-mail needs too). Items of one execution nearly always share a démarche,
 * so once one context was read, the démarche seen last is tried without a read of this dossier's
 * own; only when that attempt fails is the context read, and the work redone if the démarche
 * differs (a label or annotation of another démarche is refused before anything is written).
 */
export async function withDossierDemarche<T>(
	ctx: IExecuteFunctions,
	cache: ExecutionCache,
	dossierNumber: number,
	itemIndex: number,
	work: (demarcheNumber: number) => Promise<T>,
): Promise<T> {
	const read = async () => {
		const demarche = (await getDossierContext(ctx, cache, dossierNumber, itemIndex)).demarche.number;
		cache.set(LAST_DEMARCHE, demarche);
		return demarche;
	};
	if (cache.has(contextKey(dossierNumber)) || !cache.has(LAST_DEMARCHE)) return await work(await read());
	const guess = await cache.get<number>(LAST_DEMARCHE, async () => await read());
	const attempt = await work(guess).then(
		(value) => ({ ok: true as const, value }),
		(failure: unknown) => ({ ok: false as const, failure }),
	);
	if (attempt.ok) return attempt.value;
	const actual = await read();
	if (actual === guess) throw attempt.failure as Error;
	return await work(actual);
}
