import type { IDataObject } from 'n8n-workflow';

import { DEMARCHE_DESCRIPTORS } from '../graphql';
import type { DnFunctions } from '../transport';
import { uniqueKeys } from '../output/values';
import type { ExecutionCache } from './cache';
import { readOnce } from './cache';
import { globalIdKey } from './globalIds';

/** A champ or annotation descriptor of the active revision, as DEMARCHE_DESCRIPTORS returns it. */
export interface ChampDescriptor {
	__typename: string;
	/** Global ID, the same string as `champDescriptorId` on the dossier's champs. */
	id: string;
	label: string;
	description?: string | null;
	required?: boolean;
	/** Drop-down, multiple and linked drop-down lists. */
	options?: string[] | null;
	otherOption?: boolean | null;
	level?: number | null;
	/** Repetition children. */
	champDescriptors?: ChampDescriptor[];
}

/** The form of a démarche's active revision, indexed for lookups. */
export interface DescriptorIndex {
	demarcheNumber: number;
	revisionId: string | null;
	champs: ChampDescriptor[];
	annotations: ChampDescriptor[];
	/** Every descriptor (children of repetitions included) by global ID. */
	byId: Map<string, ChampDescriptor>;
}

/** The platform type of a descriptor: `DropDownListChampDescriptor` → `drop_down_list`. */
export function descriptorType(descriptor: ChampDescriptor): string {
	return descriptor.__typename
		.replace(/ChampDescriptor$/, '')
		.replace(/([a-z0-9])([A-Z])/g, '$1_$2')
		.replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
		.toLowerCase();
}

export function indexDescriptors(
	demarcheNumber: number,
	revision: {
		id?: string | null;
		champDescriptors?: ChampDescriptor[];
		annotationDescriptors?: ChampDescriptor[];
	} | null,
): DescriptorIndex {
	const champs = revision?.champDescriptors ?? [];
	const annotations = revision?.annotationDescriptors ?? [];
	const byId = new Map<string, ChampDescriptor>();
	const add = (list: ChampDescriptor[]) => {
		for (const descriptor of list) {
			byId.set(descriptor.id, descriptor);
			add(descriptor.champDescriptors ?? []);
		}
	};
	add(champs);
	add(annotations);
	return { demarcheNumber, revisionId: revision?.id ?? null, champs, annotations, byId };
}

/**
 * The active revision's champ and annotation descriptors of a démarche, fetched once per execution
 * (every item of the execution shares the request).
 */
export async function getDescriptors(
	ctx: DnFunctions,
	cache: ExecutionCache,
	demarcheNumber: number,
	itemIndex?: number,
): Promise<DescriptorIndex> {
	const document = { ...DEMARCHE_DESCRIPTORS, variables: { number: demarcheNumber } };
	return await readOnce(ctx, cache, `descriptors:${demarcheNumber}`, document, itemIndex, (data) => {
		const demarche = data?.demarche as IDataObject | null;
		return indexDescriptors(demarcheNumber, (demarche?.activeRevision ?? null) as never);
	});
}

/** Why a label or ID matched no descriptor, or several: the message lists what exists. */
export class DescriptorLookupError extends Error {
	constructor(
		message: string,
		readonly candidates: string[],
	) {
		super(message);
		this.name = 'DescriptorLookupError';
	}
}

/** Keys of a list of descriptors exactly as the simplified dossier shows them ("Commentaire (2)"). */
export function descriptorKeys(list: ChampDescriptor[]): string[] {
	return uniqueKeys(list.map((d) => d.label));
}

const LAYOUT_DESCRIPTORS = new Set(['HeaderSectionChampDescriptor', 'ExplicationChampDescriptor']);

/**
 * Finds one descriptor in a list (e.g. `index.annotations`) by global ID, by stable number (the
 * digits of `Champ-<n>`), or by label: the exact label, its key in the simplified output
 * ("Commentaire (2)"), or the label ignoring case and surrounding spaces. Throws a
 * DescriptorLookupError when nothing matches or when a label is shared by several descriptors.
 */
export function findDescriptor(list: ChampDescriptor[], labelOrId: string): ChampDescriptor {
	const wanted = String(labelOrId ?? '').trim();
	const byId = list.find((d) => d.id === wanted || globalIdKey(d.id, 'Champ') === wanted);
	if (byId) return byId;

	const valued = list.filter((d) => !LAYOUT_DESCRIPTORS.has(d.__typename));
	const keys = descriptorKeys(valued);
	const byKey = keys.indexOf(wanted);
	const sameLabel = valued.filter((d) => d.label === wanted);
	if (sameLabel.length > 1) {
		const named = sameLabel.map((d) => `"${keys[valued.indexOf(d)]}" (${d.id})`);
		throw new DescriptorLookupError(
			`Several fields are labelled "${wanted}": use ${named.join(' or ')}`,
			named,
		);
	}
	if (byKey >= 0) return valued[byKey];
	const loose = valued.filter((d) => d.label.trim().toLowerCase() === wanted.toLowerCase());
	if (loose.length === 1) return loose[0];
	const candidates = keys.map((key, i) => `"${key}" (${valued[i].id})`);
	throw new DescriptorLookupError(
		loose.length > 1
			? `Several fields are labelled "${wanted}" (ignoring case): use their ID`
			: `No field "${wanted}" in the démarche's form. Fields: ${candidates.join(', ') || 'none'}`,
		candidates,
	);
}
