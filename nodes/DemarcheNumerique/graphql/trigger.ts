import type { DossierParts } from './fragments';
import { dossierFragment } from './fragments';
import type { Document, ScopeKind } from './queries';
import { DELETED_DOSSIER_FIELDS, PAGE_INFO, scopeDeclaration, scopeRoot, scopeVariables } from './queries';

/**
 * The polling trigger's one document: every list it follows, as aliases switched on and off with
 * `@include`, so that an idle poll is exactly one HTTP request whatever the event.
 *
 * Per list `<name>` (changes, deposits, deleted, pending): the main page `<name>` (full records)
 * and the overlap page `<name>Overlap` (only what deduplication needs), with the variables
 * `$<name>`/`$<name>Overlap` (Boolean!, include or not), `$<name>Since`, `$<name>After`,
 * `$<name>First`, `$<name>Last`, `$<name>OverlapSince`, `$<name>OverlapAfter`,
 * `$<name>OverlapFirst`. Each list also selects its edges' cursors: a row's cursor holds its time
 * to the nanosecond (Connections::CursorConnection), which tells two versions within one printed
 * second apart.
 */

interface ListSpec {
	field: 'dossiers' | 'deletedDossiers' | 'pendingDeletedDossiers';
	sinceArgument: 'updatedSince' | 'createdSince' | 'deletedSince';
	timeField: string;
	deletion: boolean;
}

const LISTS: Record<'changes' | 'deposits' | 'deleted' | 'pending', ListSpec> = {
	changes: { field: 'dossiers', sinceArgument: 'updatedSince', timeField: 'dateDerniereModification', deletion: false },
	deposits: { field: 'dossiers', sinceArgument: 'createdSince', timeField: 'dateDepot', deletion: false },
	deleted: { field: 'deletedDossiers', sinceArgument: 'deletedSince', timeField: 'dateSupression', deletion: true },
	pending: { field: 'pendingDeletedDossiers', sinceArgument: 'deletedSince', timeField: 'dateSupression', deletion: true },
};

export const TRIGGER_LIST_NAMES = Object.keys(LISTS) as Array<keyof typeof LISTS>;

const TRIGGER_OPERATION_NAMES: Record<ScopeKind, string> = {
	demarche: 'TriggerPollDemarche',
	groupeInstructeur: 'TriggerPollGroupeInstructeur',
};

/** The trigger document for one scope and one set of dossier parts. */
export function triggerPollDocument(scope: ScopeKind, parts: DossierParts): Document {
	const variables: string[] = [scopeDeclaration(scope)];
	const selections: string[] = [];
	for (const [name, list] of Object.entries(LISTS)) {
		const overlap = `${name}Overlap`;
		variables.push(
			`$${name}: Boolean!`,
			`$${name}Since: ISO8601DateTime`,
			`$${name}After: String`,
			`$${name}First: Int`,
			`$${name}Last: Int`,
			`$${overlap}: Boolean!`,
			`$${overlap}Since: ISO8601DateTime`,
			`$${overlap}After: String`,
			`$${overlap}First: Int`,
		);
		const full = list.deletion ? DELETED_DOSSIER_FIELDS : '...DossierFields';
		// The overlap rows carry what the activation read needs: "State Changed" counts traitements.
		const light = list.deletion
			? DELETED_DOSSIER_FIELDS
			: `number ${list.timeField}${parts.traitements ? ' traitements { dateTraitement }' : ''}`;
		selections.push(
			`${name}: ${list.field}(${list.sinceArgument}: $${name}Since, after: $${name}After, first: $${name}First, last: $${name}Last) @include(if: $${name}) {
      ${PAGE_INFO}
      edges { cursor }
      nodes { ${full} }
    }`,
			`${overlap}: ${list.field}(${list.sinceArgument}: $${overlap}Since, after: $${overlap}After, first: $${overlap}First) @include(if: $${overlap}) {
      ${PAGE_INFO}
      edges { cursor }
      nodes { ${light} }
    }`,
		);
	}
	const operationName = TRIGGER_OPERATION_NAMES[scope];
	return {
		operationName,
		query: `query ${operationName}(${variables.join(', ')}) {
  ${scopeRoot(scope)} {
    id
    number
    ${selections.join('\n    ')}
  }
}${dossierFragment(parts)}`,
	};
}

/** Arguments of one list of a poll (null/undefined ones are left out of the variables). */
export interface TriggerListArguments {
	since?: string | null;
	after?: string | null;
	first?: number;
	last?: number;
}

/**
 * The variables of triggerPollDocument for the lists to include; unset arguments are omitted (an
 * absent `first` is not the same as `first: null` to every server).
 */
export function triggerVariables(
	scope: ScopeKind,
	number: number,
	request: {
		main: Partial<Record<string, TriggerListArguments>>;
		overlap: Partial<Record<string, TriggerListArguments>>;
	},
): Record<string, string | number | boolean> {
	const variables: Record<string, string | number | boolean> = scopeVariables(scope, number);
	const put = (prefix: string, list: TriggerListArguments | undefined) => {
		variables[prefix] = Boolean(list);
		if (!list) return;
		if (list.since) variables[`${prefix}Since`] = list.since;
		if (list.after) variables[`${prefix}After`] = list.after;
		if (list.first !== undefined) variables[`${prefix}First`] = list.first;
		if (list.last !== undefined) variables[`${prefix}Last`] = list.last;
	};
	for (const name of TRIGGER_LIST_NAMES) {
		put(name, request.main[name]);
		put(`${name}Overlap`, request.overlap[name]);
	}
	return variables;
}
