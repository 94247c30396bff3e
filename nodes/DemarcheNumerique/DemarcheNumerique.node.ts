import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as demarche from './actions/demarche';
import * as dossier from './actions/dossier';
import * as graphql from './actions/graphql';
import * as groupeInstructeur from './actions/groupeInstructeur';
import { router } from './actions/router';
import { searchGroupeInstructeurs, searchInstructeurs, searchLabels } from './methods/listSearch';
import { getAnnotationColumns, getChampColumns } from './methods/resourceMapping';
import { requestOptionsField } from './transport';

export class DemarcheNumerique implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Démarche Numérique',
		name: 'demarcheNumerique',
		icon: { light: 'file:demarcheNumerique.svg', dark: 'file:demarcheNumerique.dark.svg' },
		group: ['transform'],
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Read and process dossiers of Démarche Numérique (formerly Démarches Simplifiées): démarches, dossiers, decisions, messages, annotations, groupes instructeurs',
		defaults: { name: 'Démarche Numérique' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'demarcheNumeriqueApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Démarche', value: 'demarche' },
					{ name: 'Dossier', value: 'dossier' },
					{ name: 'Groupe Instructeur', value: 'groupeInstructeur' },
					{ name: 'GraphQL', value: 'graphql' },
				],
				default: 'dossier',
			},
			...demarche.description,
			...dossier.description,
			...groupeInstructeur.description,
			...graphql.description,
			requestOptionsField,
		],
	};

	methods = {
		listSearch: { searchGroupeInstructeurs, searchInstructeurs, searchLabels },
		resourceMapping: { getAnnotationColumns, getChampColumns },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
