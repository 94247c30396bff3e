import type { INodeProperties } from 'n8n-workflow';

export type Show = Record<string, Array<string | boolean | number>>;

/** Shows each field only for the given resource and operation (keeping any finer conditions). */
export function showOnlyFor(resource: string, operation: string, fields: INodeProperties[]): INodeProperties[] {
	return fields.map((field) => ({
		...field,
		displayOptions: {
			...field.displayOptions,
			show: { ...field.displayOptions?.show, resource: [resource], operation: [operation] },
		},
	}));
}

/** A binary property name option (justificatif, attachment): the file is uploaded to the platform. */
export function binaryPropertyOption(name: string, displayName: string, what: string): INodeProperties {
	return {
		displayName,
		name,
		type: 'string',
		default: 'data',
		placeholder: 'e.g. data',
		hint: 'The name of the input binary property holding the file',
		description: `Name of the input item's binary property to upload as the ${what}`,
	};
}
