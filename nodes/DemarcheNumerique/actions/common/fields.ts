import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { DossierParts } from '../../graphql';

type Show = { resource: string[]; operation: string[] };

export function returnAllAndLimit(show: Show): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: { show },
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			default: 50,
			typeOptions: { minValue: 1 },
			description: 'Max number of results to return',
			displayOptions: { show: { ...show, returnAll: [false] } },
		},
	];
}

export function simplifyField(show: Show): INodeProperties {
	return {
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description:
			'Whether to return a flat dossier with typed champs and annotations keyed by label instead of the raw API response',
		displayOptions: { show },
	};
}

/** The `include` collection: which parts of a dossier to fetch (each trims the payload). */
export function dossierPartsField(show: Show): INodeProperties {
	return {
		displayName: 'Include',
		name: 'include',
		type: 'collection',
		placeholder: 'Add Part',
		default: {},
		description: 'Parts of each dossier to fetch. Fewer parts make requests faster and lighter.',
		displayOptions: { show },
		options: [
			{ displayName: 'Annotations', name: 'annotations', type: 'boolean', default: true, description: 'Whether to include the private annotations written by instructeurs' },
			{ displayName: 'Avis', name: 'avis', type: 'boolean', default: false, description: 'Whether to include the expert opinions (avis)' },
			{ displayName: 'Champs', name: 'champs', type: 'boolean', default: true, description: 'Whether to include the form fields filled by the usager' },
			{ displayName: 'Files (Attestation, PDF)', name: 'files', type: 'boolean', default: true, description: 'Whether to include signed links to the attestation, the decision justificatif, the PDF export and the GeoJSON export' },
			{ displayName: 'Geometry', name: 'geometry', type: 'boolean', default: false, description: 'Whether to include the GeoJSON geometry of map champs (can be large)' },
			{ displayName: 'Instructeurs', name: 'instructeurs', type: 'boolean', default: true, description: 'Whether to include the instructeurs following the dossier' },
			{ displayName: 'Labels', name: 'labels', type: 'boolean', default: true, description: 'Whether to include the labels put on the dossier' },
			{ displayName: 'Messages', name: 'messages', type: 'boolean', default: false, description: 'Whether to include the messages exchanged with the usager' },
			{ displayName: 'Traitements', name: 'traitements', type: 'boolean', default: false, description: 'Whether to include the history of decisions' },
		],
	};
}

const PART_DEFAULTS: DossierParts = {
	champs: true,
	annotations: true,
	messages: false,
	avis: false,
	traitements: false,
	instructeurs: true,
	labels: true,
	geometry: false,
	files: true,
};

/** Reads the `include` collection into DossierParts, with the defaults shown in the UI. */
export function readDossierParts(ctx: IExecuteFunctions, itemIndex: number): DossierParts {
	const include = ctx.getNodeParameter('include', itemIndex, {}) as IDataObject;
	const parts = { ...PART_DEFAULTS };
	for (const key of Object.keys(parts) as Array<keyof DossierParts>) {
		if (typeof include[key] === 'boolean') parts[key] = include[key] as boolean;
	}
	return parts;
}
