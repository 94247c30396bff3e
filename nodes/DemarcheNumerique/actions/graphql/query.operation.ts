import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { getDnCredentials, graphqlRequest, refusal } from '../../transport';
import type { OperationModule } from '../common/types';

const show = { resource: ['graphql'], operation: ['query'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Query',
		name: 'query',
		type: 'string',
		default: '',
		required: true,
		typeOptions: { rows: 10 },
		placeholder: 'query ($number: Int!) { dossier(number: $number) { number state } }',
		description:
			"A GraphQL document (query or mutation) of the platform's API, sent with the credential's token",
		displayOptions: { show },
	},
	{
		displayName: 'Variables',
		name: 'variables',
		type: 'json',
		default: '{}',
		description: 'The variables of the document, as a JSON object, e.g. {"number": 1234}',
		displayOptions: { show },
	},
];

/** The name of the document's first named operation, which the platform logs. */
export function operationNameOf(query: string): string | undefined {
	return /^\s*(?:query|mutation)\s+([_A-Za-z][_0-9A-Za-z]*)/m.exec(query)?.[1];
}

interface OperationDefinition {
	type: 'query' | 'mutation' | 'subscription';
	name?: string;
}

/** Block strings, strings, comments, braces and parentheses, and names: all the tokens that matter here. */
const TOKEN = /"""[\s\S]*?"""|"(?:\\.|[^"\\\n])*"|#[^\n]*|[{}()]|[_A-Za-z][_0-9A-Za-z]*/g;

/**
 * The operations a document defines, read from its top level: comments and strings are skipped,
 * and only tokens outside every brace and parenthesis count (so a field named `mutation` inside a
 * selection, or a default value, is not taken for an operation).
 */
export function operationsOf(query: string): OperationDefinition[] {
	const operations: OperationDefinition[] = [];
	let depth = 0;
	let pending: OperationDefinition | undefined;
	for (const [text] of query.matchAll(TOKEN)) {
		if (text.startsWith('"') || text.startsWith('#')) continue;
		if (text === '{' || text === '(') {
			if (depth === 0 && text === '{') {
				// `{ … }` alone is a query; after a keyword it opens that operation's selection.
				operations.push(pending ?? { type: 'query' });
				pending = undefined;
			}
			depth++;
		} else if (text === '}' || text === ')') {
			depth = Math.max(0, depth - 1);
		} else if (depth === 0) {
			if (text === 'query' || text === 'mutation' || text === 'subscription') pending = { type: text };
			else if (text === 'fragment') pending = { type: 'query', name: '\u0000fragment' };
			else if (pending && pending.name === undefined) pending.name = text;
		}
	}
	return operations.filter((operation) => operation.name !== '\u0000fragment');
}

/**
 * Whether the operation the platform will run changes something: the named one, the only one, or,
 * when that cannot be told, any mutation in the document (a change must never be resent).
 */
export function runsMutation(query: string, operationName: string | undefined): boolean {
	const operations = operationsOf(query);
	const named = operations.filter((operation) => operationName !== undefined && operation.name === operationName);
	const chosen = named.length === 1 ? named : operations;
	return chosen.some((operation) => operation.type === 'mutation');
}

/** The root fields of a mutation's answer whose payload carries business `errors`. */
function payloadErrors(data: IDataObject): Array<{ field: string; messages: string[] }> {
	const refused: Array<{ field: string; messages: string[] }> = [];
	for (const [field, payload] of Object.entries(data)) {
		const errors = (payload as { errors?: unknown } | null)?.errors;
		if (!Array.isArray(errors) || errors.length === 0) continue;
		refused.push({
			field,
			messages: errors.map((e) => String((e as { message?: unknown })?.message ?? JSON.stringify(e))),
		});
	}
	return refused;
}

export const execute: OperationModule['execute'] = async function (itemIndex) {
	const query = String(this.getNodeParameter('query', itemIndex, '') ?? '');
	if (!query.trim()) {
		throw new NodeOperationError(this.getNode(), 'The query is empty', {
			itemIndex,
			description:
				'Write a GraphQL document in Query, e.g. query { demarche(number: 123) { title } }.',
		});
	}
	const raw = this.getNodeParameter('variables', itemIndex, '{}') as unknown;
	let variables: unknown = raw;
	if (typeof raw === 'string') {
		try {
			variables = raw.trim() ? JSON.parse(raw) : {};
		} catch (error) {
			throw new NodeOperationError(this.getNode(), 'Variables is not valid JSON', {
				itemIndex,
				description: `Fix the JSON of Variables (${(error as Error).message}). It must be an object such as {"number": 1234}.`,
			});
		}
	}
	if (!variables || typeof variables !== 'object' || Array.isArray(variables)) {
		throw new NodeOperationError(this.getNode(), 'Variables must be a JSON object', {
			itemIndex,
			description: 'Give the variables as an object keyed by variable name, e.g. {"number": 1234}.',
		});
	}
	const operationName = operationNameOf(query);
	const change = runsMutation(query, operationName);
	const { data } = await graphqlRequest.call(
		this,
		{ query, operationName: operationName as string, variables: variables as IDataObject },
		// A mutation is never resent after a failure that may hide its success.
		{ intent: change ? 'change' : 'read', itemIndex },
	);
	const json = (data ?? {}) as IDataObject;
	const refused = change ? payloadErrors(json) : [];
	if (refused.length) {
		// A refused mutation is an error, not a success whose `errors` field someone must notice.
		const { token } = await getDnCredentials(this);
		const error = refusal(
			this.getNode(),
			refused.map((r) => r.field).join(', '),
			refused.flatMap((r) => r.messages),
			token,
			itemIndex,
		);
		const applied = Object.keys(json).filter((field) => !refused.some((r) => r.field === field));
		if (applied.length) {
			error.description = `${error.description} The document's other fields were answered without errors (applied): ${applied.join(', ')}.`;
		}
		throw error;
	}
	return [{ json }];
};
