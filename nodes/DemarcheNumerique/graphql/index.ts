import type { DemarcheParts, Document } from './queries';
import type { DossierParts } from './fragments';
import { DOSSIER_PART_NAMES } from './fragments';
import { mutationDocuments } from './mutations';
import { triggerDocuments } from './trigger';
import {
	DEMARCHE_DESCRIPTORS,
	DEMARCHE_GROUPES,
	DEMARCHE_PART_NAMES,
	DOSSIER_CONTEXT,
	GET_GROUPE_INSTRUCTEUR,
	deletedDossiersDocument,
	dossierNumbersDocument,
	dossiersDocument,
	getDemarcheDocument,
	getDossierDocument,
} from './queries';

export * from './fragments';
export * from './queries';

/** Every assignment of true/false to the given switch names. */
export function everyCombination<K extends string>(names: readonly K[]): Array<Record<K, boolean>> {
	const combos: Array<Record<K, boolean>> = [];
	for (let mask = 0; mask < 2 ** names.length; mask++) {
		const combo = {} as Record<K, boolean>;
		names.forEach((name, bit) => (combo[name] = Boolean(mask & (1 << bit))));
		combos.push(combo);
	}
	return combos;
}

/**
 * Every document the package can send, for the conformance test against the real schema. A module
 * that adds documents registers them here.
 */
export function allDocuments(): Document[] {
	const documents: Document[] = [
		DEMARCHE_DESCRIPTORS,
		DEMARCHE_GROUPES,
		DOSSIER_CONTEXT,
		GET_GROUPE_INSTRUCTEUR,
		dossierNumbersDocument('demarche'),
		dossierNumbersDocument('groupeInstructeur'),
		deletedDossiersDocument('deletedDossiers'),
		deletedDossiersDocument('pendingDeletedDossiers'),
	];
	for (const parts of everyCombination<keyof DossierParts>(DOSSIER_PART_NAMES)) {
		documents.push(
			getDossierDocument(parts),
			dossiersDocument('demarche', parts),
			dossiersDocument('groupeInstructeur', parts),
		);
	}
	for (const parts of everyCombination<keyof DemarcheParts>(DEMARCHE_PART_NAMES)) {
		documents.push(getDemarcheDocument(parts));
	}
	documents.push(...mutationDocuments());
	documents.push(...triggerDocuments(everyCombination<keyof DossierParts>(DOSSIER_PART_NAMES)));
	return documents;
}
