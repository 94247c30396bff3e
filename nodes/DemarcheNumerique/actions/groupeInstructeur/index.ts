import type { INodeProperties } from 'n8n-workflow';

import type { OperationMap } from '../common/types';
import * as get from './get.operation';
import * as create from './create.operation';
import * as update from './update.operation';
import * as addInstructeurs from './addInstructeurs.operation';
import * as removeInstructeurs from './removeInstructeurs.operation';

export const operations: OperationMap = { get, create, update, addInstructeurs, removeInstructeurs };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['groupeInstructeur'] } },
		options: [
			{
				name: 'Add Instructeurs',
				value: 'addInstructeurs',
				action: 'Add instructeurs to a groupe instructeur',
				description: 'Add instructeurs to a groupe instructeur by e-mail',
			},
			{
				name: 'Create',
				value: 'create',
				action: 'Create a groupe instructeur',
				description: 'Create a groupe instructeur in a démarche',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get a groupe instructeur',
				description: 'Get a groupe instructeur with its instructeurs',
			},
			{
				name: 'Remove Instructeurs',
				value: 'removeInstructeurs',
				action: 'Remove instructeurs from a groupe instructeur',
				description: 'Remove instructeurs from a groupe instructeur by e-mail',
			},
			{
				name: 'Update',
				value: 'update',
				action: 'Update a groupe instructeur',
				description: 'Rename, close or reopen a groupe instructeur',
			},
		],
		default: 'get',
	},
	...Object.values(operations).flatMap((operation) => operation.description),
];
