import type { INodeProperties } from 'n8n-workflow';

import type { OperationMap } from '../common/types';
import * as query from './query.operation';

export const operations: OperationMap = { query };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['graphql'] } },
		options: [
			{
				name: 'Query',
				value: 'query',
				action: 'Run a custom query',
				description:
					'Send a custom GraphQL document of the Démarche Numérique API, with variables, through the same credential; for data the other operations do not offer',
			},
		],
		default: 'query',
	},
	...Object.values(operations).flatMap((operation) => operation.description),
];
