import type { GraphqlError } from './errors';

/**
 * What kind of failure an entry of a GraphQL `errors` array is, for the callers that keep the
 * data beside it (lists, single reads): some leave the record whole, some call for another try.
 */

/**
 * A dossier-link champ pointing into a démarche the token does not cover. The platform nulls
 * that champ's `dossier` only (DossierLinkChampType, Schema.unauthorized_object: code
 * `unauthorized`, path `…champs.N.dossier`, or `…annotations…`, or inside repetition rows); the
 * champ keeps its number in `stringValue` and the rest of the dossier is complete.
 */
export function isHiddenLinkError(error: GraphqlError): boolean {
	const path = error.path ?? [];
	return (
		error.extensions?.code === 'unauthorized' &&
		path.length > 2 &&
		path[path.length - 1] === 'dossier' &&
		path.slice(0, -1).some((step) => step === 'champs' || step === 'annotations')
	);
}

/**
 * The platform's 30-second query timeout (GraphQL::Schema::Timeout). Every field started after the
 * deadline gets its own error, only the first coded `timeout`; the coded one can be dropped (inside
 * a subtree already nulled), so the message counts too.
 */
export function isTimeoutError(error: GraphqlError): boolean {
	return error.extensions?.code === 'timeout' || /^Timeout on /.test(error.message ?? '');
}

const COMPLEXITY = /Query has complexity of (\d+), which exceeds max complexity of (\d+)/;

/**
 * The platform's refusal of a query above its complexity cap (graphql-ruby's max_complexity,
 * 60 000 since PR #13549, set per server by GRAPHQL_MAX_COMPLEXITY): both figures, or undefined.
 * The text comes in an error without code (or in the message of the error built from it).
 */
export function complexityOverflow(error: { message?: string }): { complexity: number; max: number } | undefined {
	const match = COMPLEXITY.exec(error?.message ?? '');
	return match ? { complexity: Number(match[1]), max: Number(match[2]) } : undefined;
}
