import type { INodeProperties } from 'n8n-workflow';

/** The `displayOptions.show` of a field: parameter name → the values that show it. */
export type Show = NonNullable<NonNullable<INodeProperties['displayOptions']>['show']>;

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
