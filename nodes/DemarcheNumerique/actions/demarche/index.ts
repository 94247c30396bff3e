import type { INodeProperties } from 'n8n-workflow';

import type { OperationMap } from '../common/types';
import * as get from './get.operation';
import * as clone from './clone.operation';

export const operations: OperationMap = { get, clone };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['demarche'] } },
		options: [
			{
				name: 'Clone',
				value: 'clone',
				// A template literal: the linter's sentence-case check drops accented letters ("d marche").
				action: `Clone a démarche`,
				description: 'Create a new draft démarche as a copy of an existing one',
			},
			{
				name: 'Get',
				value: 'get',
				action: `Get a démarche`,
				description:
					'Get a démarche (a procedure) by number: title, state, groupes instructeurs with their instructeurs, labels, service, and the form description (champs and annotations with their types and options)',
			},
		],
		default: 'get',
	},
	...Object.values(operations).flatMap((operation) => operation.description),
];
