import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ExecutionCache } from '../../resolve/cache';
import { DescriptorLookupError, getDescriptors } from '../../resolve/descriptors';
import { prefillRequest } from '../../transport';
import { demarcheLocator } from '../common/locators';
import { readDemarche } from '../../resolve/demarche';
import type { OperationModule } from '../common/types';
import { showOnlyFor } from '../common/displayOptions';
import { formColumnsField } from '../common/fields';
import type { PrefillEntry } from './prefill';
import { buildPrefillBody, mappedPrefillEntries, needsDescriptors, prefillCivilite } from './prefill';

export const description = showOnlyFor('dossier', 'createPrefilled', [
	{ ...demarcheLocator, description: 'The démarche to create the prefilled dossier in: published, or in test (brouillon)' },
	formColumnsField({
		displayName: 'Fields',
		method: 'getChampColumns',
		valuesLabel: 'Fields to Prefill',
		singular: 'field',
		plural: 'fields',
		description:
			'The démarche\'s champs, each with its type; required ones are marked, but a prefill may leave them for the usager. Columns left empty are not sent. The platform silently skips values it cannot use, so check the dossier once. Date-times without an offset are read in the workflow\'s time zone. A repetition takes a JSON array of rows keyed by the row\'s field labels. The types the platform cannot prefill are listed, read-only, with the reason.',
	}),
	{
		displayName: 'Fields',
		name: 'fields',
		type: 'fixedCollection',
		displayOptions: { show: { '@version': [1] } },
		typeOptions: { multipleValues: true },
		placeholder: 'Add Field',
		default: {},
		description:
			'Values to prefill. The platform silently skips blank values and the values of checked types it cannot use (numbers, dates, choices…), so check the dossier once. Date-times without an offset are read in the workflow\'s time zone.',
		options: [
			{
				displayName: 'Field',
				name: 'field',
				values: [
					{
						displayName: 'Field',
						name: 'field',
						type: 'string',
						default: '',
						placeholder: 'e.g. Nom de l\'association',
						description: 'The champ\'s label as in the form, its champ ID, or a raw key such as champ_Q2hhbXAtMTI= or identite_nom',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						description: 'The value; multiple choices as a JSON array or comma-separated',
					},
				],
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{ displayName: 'First Name (Identité)', name: 'identitePrenom', type: 'string', default: '', description: 'First name of the usager, for démarches for individuals' },
			{ displayName: 'Last Name (Identité)', name: 'identiteNom', type: 'string', default: '', description: 'Last name of the usager, for démarches for individuals' },
			{
				displayName: 'Civility (Identité)',
				name: 'identiteGenre',
				type: 'options',
				default: 'Mme',
				options: [
					{ name: 'Mme', value: 'Mme' },
					{ name: 'M.', value: 'M.' },
				],
				description: 'Civility of the usager, for démarches for individuals',
			},
		],
	},
]);

export const execute: OperationModule['execute'] = async function (
	this: IExecuteFunctions,
	itemIndex: number,
	cache: ExecutionCache,
) {
	const demarcheNumber = await readDemarche(this, itemIndex, cache);
	const entries =
		this.getNode().typeVersion >= 2
			? mappedPrefillEntries(this.getNodeParameter('columns.value', itemIndex, {}) as IDataObject | null)
			: ((this.getNodeParameter('fields', itemIndex, {}) as { field?: PrefillEntry[] }).field ?? []);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const champs = needsDescriptors(entries)
		? (await getDescriptors(this, cache, demarcheNumber, itemIndex)).champs
		: undefined;
	let body: IDataObject;
	try {
		body = buildPrefillBody(champs, entries, this.getTimezone());
	} catch (error) {
		throw new NodeOperationError(this.getNode(), error as Error, {
			itemIndex,
			description:
				error instanceof DescriptorLookupError
					? 'Name each field by its label in the démarche\'s form or by its champ ID.'
					: undefined,
		});
	}
	if (options.identitePrenom) body.identite_prenom = options.identitePrenom;
	if (options.identiteNom) body.identite_nom = options.identiteNom;
	if (options.identiteGenre) body.identite_genre = prefillCivilite(options.identiteGenre) as string;

	const response = (await prefillRequest.call(this, { method: 'POST', demarcheNumber, body, itemIndex })) as IDataObject;
	return [
		{
			json: {
				dossierUrl: response.dossier_url,
				dossierNumber: response.dossier_number,
				dossierId: response.dossier_id,
				prefillToken: response.dossier_prefill_token,
				state: response.state,
			},
		},
	];
};
