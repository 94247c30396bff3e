import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { graphqlRequest } from '../../transport';
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
	const { data } = await graphqlRequest.call(
		this,
		{ query, operationName: operationNameOf(query) as string, variables: variables as IDataObject },
		{ itemIndex },
	);
	return [{ json: (data ?? {}) as IDataObject }];
};
