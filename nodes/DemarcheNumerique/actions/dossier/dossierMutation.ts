import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { dossierLocator, instructeurLocator, readDossierNumber } from '../common/locators';
import type { OperationModule } from '../common/types';
import { showOnlyFor } from '../common/writeFields';
import type { ExecutionCache } from '../../resolve/cache';
import { getDossierContext } from '../../resolve/dossierContext';
import { globalId } from '../../resolve/globalIds';
import { readInstructeurId } from '../../resolve/instructeur';

export interface DossierMutationContext {
	itemIndex: number;
	cache: ExecutionCache;
	dossierNumber: number;
	/** Computed locally from the number: no round trip. */
	dossierId: string;
	/** The acting instructeur's ID, resolved on first call (an e-mail costs one cached read). */
	instructeurId: () => Promise<string>;
	/**
	 * Runs `work` with the dossier's démarche number. Items of one execution nearly always share a
	 * démarche, so after the first dossier's read the démarche seen last is tried without a read;
	 * only when that attempt fails is the dossier's own démarche read, and the work redone if it
	 * differs (a label or annotation of another démarche is refused before anything is written).
	 */
	withDemarche: <T>(work: (demarcheNumber: number) => Promise<T>) => Promise<T>;
}

const LAST_DEMARCHE = 'lastDemarche';

async function withDemarche<T>(
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
	if (cache.has(`dossierContext:${dossierNumber}`) || !cache.has(LAST_DEMARCHE)) return await work(await read());
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

export interface DossierMutationConfig {
	operation: string;
	/** Whether the platform needs an acting instructeur (adds the `instructeur` locator). */
	needsInstructeur: boolean;
	/** Fields after `dossier` and `instructeur`; their displayOptions are added here. */
	fields?: INodeProperties[];
	run(this: IExecuteFunctions, context: DossierMutationContext): Promise<IDataObject>;
}

/**
 * Every operation that acts on one dossier: the same `dossier` and `instructeur` parameters, the
 * same lazy resolution, one output item with what the platform returned.
 */
export function dossierMutation(config: DossierMutationConfig): OperationModule {
	const description = showOnlyFor('dossier', config.operation, [
		dossierLocator,
		...(config.needsInstructeur ? [instructeurLocator] : []),
		...(config.fields ?? []),
	]);
	return {
		description,
		async execute(this: IExecuteFunctions, itemIndex: number, cache: ExecutionCache) {
			const dossierNumber = readDossierNumber(this, itemIndex);
			const context: DossierMutationContext = {
				itemIndex,
				cache,
				dossierNumber,
				dossierId: globalId('Dossier', dossierNumber),
				instructeurId: async () => await readInstructeurId(this, cache, itemIndex, dossierNumber),
				withDemarche: async (work) => await withDemarche(this, cache, dossierNumber, itemIndex, work),
			};
			const json = await config.run.call(this, context);
			return [{ json }];
		},
	};
}

/** Non-fatal remarks of a payload, as plain strings, only when there are some. */
export function warningsOf(payload: { warnings?: Array<{ message: string }> | null }): { warnings?: string[] } {
	const warnings = (payload.warnings ?? []).map((warning) => warning.message);
	return warnings.length ? { warnings } : {};
}
