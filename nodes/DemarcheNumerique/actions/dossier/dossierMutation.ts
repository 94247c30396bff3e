import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { dossierLocator, instructeurLocator, readDossierNumber } from '../common/locators';
import type { OperationModule } from '../common/types';
import { showOnlyFor } from '../common/displayOptions';
import type { ExecutionCache } from '../../resolve/cache';
import { dossierDemarche } from '../../resolve/dossierContext';
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
	/** The dossier's démarche number, from its context (one cached read per dossier and execution). */
	demarcheNumber: () => Promise<number>;
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
				demarcheNumber: async () => await dossierDemarche(this, cache, dossierNumber, itemIndex),
			};
			const json = await config.run.call(this, context);
			return [{ json }];
		},
	};
}
