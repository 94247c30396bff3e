import type { IDataObject } from 'n8n-workflow';

import type { DossierParts, ScopeKind } from '../graphql';
import { dossierNumbersDocument, dossiersDocument, scopeVariables } from '../graphql';
import type { DnFunctions, GraphqlError } from '../transport';
import { getDnCredentials, graphqlRequest, paginate, rootErrorsToApiError } from '../transport';
import { withHiddenLinkWarnings } from './linkedDossiers';

/** Where the dossiers are listed from: a démarche, or one of its groupes instructeurs. */
export interface DossierScope {
	kind: ScopeKind;
	number: number;
}

/** The platform's filters of `dossiers(...)`, unset ones left out. */
export interface DossierFilters {
	state?: string;
	archived?: boolean;
	createdSince?: string;
	updatedSince?: string;
	revision?: string;
}

/** A dossier of the page the platform could not serialise (or only partly). */
export interface LostDossier {
	/** Its number, learnt from a numbers-only query of the same page; null if even that failed. */
	number: number | null;
	/** Position in the page the platform returned. */
	index: number;
	errors: GraphqlError[];
}

export type DossierEntry = { dossier: IDataObject } | { lost: LostDossier };

export interface DossierPagesOptions {
	scope: DossierScope;
	filters: DossierFilters;
	parts: DossierParts;
	/** Stop after this many entries; undefined means all. */
	limit?: number;
	/** Dossiers asked per request at first (at most 100); the walk halves it on timeouts. */
	pageSize?: number;
	itemIndex?: number;
}

/** What to do when even one dossier per request times out. */
const DOSSIER_TIMEOUT_ADVICE =
	'Even one dossier per request took the platform more than 30 seconds. Under Include, turn off the parts you do not need (champs, annotations, messages, avis, geometry) and run again; if it still times out with little asked, the platform is overloaded: retry later.';

function filterVariables(filters: DossierFilters): IDataObject {
	const variables: IDataObject = {};
	for (const [key, value] of Object.entries(filters)) {
		if (value !== undefined && value !== null && value !== '') variables[key] = value;
	}
	return variables;
}

/**
 * Walks the dossiers of a démarche or groupe, one request per page (100, less after timeouts), yielding each page's
 * entries in the platform's order as soon as it arrives. A dossier the platform failed to serialise
 * (`invalid_null` and the like) is never dropped silently: it comes back as a `lost` entry with its
 * number, learnt from a numbers-only request of the same page (only made when a page has losses).
 */
export async function* dossierPages(
	this: DnFunctions,
	options: DossierPagesOptions,
): AsyncGenerator<DossierEntry[]> {
	const { scope, filters, parts, limit, pageSize, itemIndex } = options;
	const root = scope.kind;
	const nodesPath = [root, 'dossiers', 'nodes'];
	const document = dossiersDocument(scope.kind, parts);
	const variables = { ...scopeVariables(scope.kind, scope.number), ...filterVariables(filters) };

	const pages = paginate.call(this, {
		document: { ...document, variables },
		connection: (data: IDataObject) =>
			((data[root] as IDataObject | null)?.dossiers ?? null) as never,
		nodesPath,
		limit,
		pageSize,
		timeoutAdvice: DOSSIER_TIMEOUT_ADVICE,
		settings: { itemIndex },
		// Every caller reads to the end: the next page is asked as soon as this one says where it ends.
		prefetch: true,
	});

	for await (const page of pages) {
		// Errors inside a dossier the platform still returned: that dossier is incomplete.
		const damaged = new Map(page.damaged.map((record) => [record.index, record.errors]));
		const hiddenLinks = new Map(page.hiddenLinks.map((record) => [record.index, record.errors]));
		const inRecords = new Set(page.damaged.flatMap((record) => record.errors));
		const unplaced = page.errors.filter((error) => !inRecords.has(error));
		if (unplaced.length) {
			const { baseUrl, token } = await getDnCredentials(this);
			throw rootErrorsToApiError(this.getNode(), unplaced, baseUrl, token, itemIndex);
		}

		const lostAt = new Map(page.lost.map((lost) => [lost.index, lost.errors]));
		const size = page.nodes.length + page.lost.length;
		const numbers = lostAt.size
			? await numbersOfPage.call(this, scope, variables, page.after, size, itemIndex)
			: [];

		const entries: DossierEntry[] = [];
		let next = 0;
		for (let index = 0; index < size; index++) {
			const errors = lostAt.get(index);
			if (errors) {
				entries.push({ lost: { number: numbers[index] ?? null, index, errors } });
				continue;
			}
			const dossier = page.nodes[next++] as IDataObject;
			const damage = damaged.get(index);
			if (damage) {
				entries.push({ lost: { number: Number(dossier.number) || null, index, errors: damage } });
			} else {
				const links = hiddenLinks.get(index) ?? [];
				entries.push({ dossier: withHiddenLinkWarnings(dossier, links, [...nodesPath, index]) });
			}
		}
		yield entries;
	}
}

/** Numbers of the dossiers of one page (same filters, same cursor, same size). */
async function numbersOfPage(
	this: DnFunctions,
	scope: DossierScope,
	variables: IDataObject,
	after: string | null,
	first: number,
	itemIndex?: number,
): Promise<Array<number | null>> {
	const document = dossierNumbersDocument(scope.kind);
	const pageVariables: IDataObject = { ...variables, first };
	if (after) pageVariables.after = after;
	try {
		const { data } = await graphqlRequest.call(
			this,
			{ ...document, variables: pageVariables },
			{ intent: 'read', itemIndex, partial: true },
		);
		const nodes = (
			((data as IDataObject | null)?.[scope.kind] as IDataObject | null)?.dossiers as IDataObject | null
		)?.nodes as Array<{ number?: number } | null> | undefined;
		return (nodes ?? []).map((node) => node?.number ?? null);
	} catch {
		// Naming the lost dossier is best effort: the caller still reports it, without a number.
		return [];
	}
}

/** One sentence naming a lost dossier and what the platform said. */
export function describeLostDossier(lost: LostDossier): string {
	const who = lost.number
		? `Dossier ${lost.number}`
		: `The dossier at position ${lost.index + 1} of its page`;
	const why = lost.errors[0]?.message ? `: ${lost.errors[0].message}` : '';
	return `${who} could not be read from the platform${why}`;
}
