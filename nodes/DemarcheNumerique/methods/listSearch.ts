import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { DEMARCHE_GROUPES, DOSSIER_CONTEXT, GET_GROUPE_INSTRUCTEUR } from '../graphql';
import { DEMARCHE_LABELS } from '../graphql/mutations';
import { graphqlRequest } from '../transport';
import { demarcheReference } from '../actions/common/locators';
import { resolveDemarcheNumber } from '../resolve/demarche';

interface Groupe {
	id: string;
	number: number;
	label: string;
	closed?: boolean;
	instructeurs?: Array<{ id: string; email: string }>;
}

function currentNumber(ctx: ILoadOptionsFunctions, name: string): number | undefined {
	try {
		const value = ctx.getCurrentNodeParameter(name, { extractValue: true });
		const text = String(value ?? '').trim();
		return /^\d+$/.test(text) ? Number(text) : undefined;
	} catch {
		return undefined;
	}
}

function matches(filter: string | undefined, ...texts: string[]): boolean {
	if (!filter) return true;
	const needle = filter.toLowerCase();
	return texts.some((t) => t.toLowerCase().includes(needle));
}

/** The démarche in the node, or the dossier's démarche; undefined while neither is given. */
async function demarcheInContext(ctx: ILoadOptionsFunctions): Promise<number | undefined> {
	const demarche = currentNumber(ctx, 'demarche');
	if (demarche !== undefined) return demarche;
	const reference = demarcheReference(ctx.getCurrentNodeParameter('demarche'));
	// A public link (…/commencer/<path>): the platform says which démarche it is.
	if ('path' in reference && reference.path) {
		return await resolveDemarcheNumber(ctx, ctx.getCurrentNodeParameter('demarche')).catch(() => undefined);
	}
	const dossier = currentNumber(ctx, 'dossier');
	if (dossier === undefined) return undefined;
	const { data } = await graphqlRequest.call(ctx, { ...DOSSIER_CONTEXT, variables: { number: dossier } }, { intent: 'read' });
	return (data as { dossier?: { demarche?: { number: number } } })?.dossier?.demarche?.number;
}

/** Groupes of the démarche in the node (or of the dossier's démarche). */
async function groupesInContext(ctx: ILoadOptionsFunctions): Promise<Groupe[]> {
	const demarche = await demarcheInContext(ctx);
	if (demarche === undefined) return [];
	const { data } = await graphqlRequest.call(ctx, { ...DEMARCHE_GROUPES, variables: { number: demarche } }, { intent: 'read' });
	return ((data as { demarche?: { groupeInstructeurs?: Groupe[] } })?.demarche?.groupeInstructeurs ?? []);
}

export async function searchGroupeInstructeurs(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const groupes = await groupesInContext(this);
	return {
		results: groupes
			.filter((g) => matches(filter, g.label, String(g.number)))
			.map((g) => ({
				name: `${g.label}${g.closed ? ' (closed)' : ''} — n° ${g.number}`,
				value: String(g.number),
			})),
	};
}

/** Instructeurs who can act on the dossier (its groupe's), or of the groupe in the node. */
export async function searchInstructeurs(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	let instructeurs: Array<{ id: string; email: string }> = [];
	const dossier = currentNumber(this, 'dossier');
	const groupe = currentNumber(this, 'groupeInstructeur');
	if (dossier !== undefined) {
		const { data } = await graphqlRequest.call(this, { ...DOSSIER_CONTEXT, variables: { number: dossier } }, { intent: 'read' });
		instructeurs =
			(data as { dossier?: { groupeInstructeur?: Groupe } })?.dossier?.groupeInstructeur?.instructeurs ?? [];
	} else if (groupe !== undefined) {
		const { data } = await graphqlRequest.call(this, { ...GET_GROUPE_INSTRUCTEUR, variables: { number: groupe } }, { intent: 'read' });
		instructeurs = (data as { groupeInstructeur?: Groupe })?.groupeInstructeur?.instructeurs ?? [];
	} else {
		instructeurs = (await groupesInContext(this)).flatMap((g) => g.instructeurs ?? []);
	}
	const unique = new Map(instructeurs.map((i) => [i.id, i]));
	return {
		results: [...unique.values()]
			.filter((i) => matches(filter, i.email))
			.map((i) => ({ name: i.email, value: i.id })),
	};
}

/** Labels of the dossier's démarche (or of the démarche in the node), by name; values are label IDs. */
export async function searchLabels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const demarche = await demarcheInContext(this);
	if (demarche === undefined) return { results: [] };
	const { data } = await graphqlRequest.call(this, { ...DEMARCHE_LABELS, variables: { number: demarche } }, { intent: 'read' });
	const labels = (data as { demarche?: { labels?: Array<{ id: string; name: string }> } })?.demarche?.labels ?? [];
	return {
		results: labels
			.filter((label) => matches(filter, label.name))
			.map((label) => ({ name: label.name, value: label.id })),
	};
}
