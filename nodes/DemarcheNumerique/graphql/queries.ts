import type { DossierParts } from './fragments';
import { dossierFragment } from './fragments';

export interface Document {
	operationName: string;
	query: string;
}

const DOSSIER_FILTER_VARIABLES =
	'$first: Int, $after: String, $state: DossierState, $archived: Boolean, $createdSince: ISO8601DateTime, $updatedSince: ISO8601DateTime, $revision: ID';
const DOSSIER_FILTER_ARGUMENTS =
	'first: $first, after: $after, state: $state, archived: $archived, createdSince: $createdSince, updatedSince: $updatedSince, revision: $revision';
const PAGE_INFO = 'pageInfo { hasNextPage endCursor }';

export function getDossierDocument(parts: DossierParts): Document {
	return {
		operationName: 'GetDossier',
		query: `query GetDossier($number: Int!) {
  dossier(number: $number) { ...DossierFields }
}${dossierFragment(parts)}`,
	};
}

/** One page of a démarche's dossiers, with every filter the platform offers. */
export function demarcheDossiersDocument(parts: DossierParts): Document {
	return {
		operationName: 'GetDemarcheDossiers',
		query: `query GetDemarcheDossiers($demarche: Int!, ${DOSSIER_FILTER_VARIABLES}) {
  demarche(number: $demarche) {
    id
    number
    dossiers(${DOSSIER_FILTER_ARGUMENTS}) {
      ${PAGE_INFO}
      nodes { ...DossierFields }
    }
  }
}${dossierFragment(parts)}`,
	};
}

/** One page of a groupe instructeur's dossiers (the same connection, scoped to the groupe). */
export function groupeDossiersDocument(parts: DossierParts): Document {
	return {
		operationName: 'GetGroupeInstructeurDossiers',
		query: `query GetGroupeInstructeurDossiers($groupe: Int!, ${DOSSIER_FILTER_VARIABLES}) {
  groupeInstructeur(number: $groupe) {
    id
    number
    dossiers(${DOSSIER_FILTER_ARGUMENTS}) {
      ${PAGE_INFO}
      nodes { ...DossierFields }
    }
  }
}${dossierFragment(parts)}`,
	};
}

/** Numbers only, to name the dossiers of a page the platform could not serialise. */
export function dossierNumbersDocument(scope: 'demarche' | 'groupeInstructeur'): Document {
	const root =
		scope === 'demarche' ? 'demarche(number: $demarche)' : 'groupeInstructeur(number: $groupe)';
	const variable = scope === 'demarche' ? '$demarche: Int!' : '$groupe: Int!';
	const operationName = scope === 'demarche' ? 'GetDemarcheDossierNumbers' : 'GetGroupeInstructeurDossierNumbers';
	return {
		operationName,
		query: `query ${operationName}(${variable}, ${DOSSIER_FILTER_VARIABLES}) {
  ${root} {
    dossiers(${DOSSIER_FILTER_ARGUMENTS}) {
      ${PAGE_INFO}
      nodes { number }
    }
  }
}`,
	};
}

const DELETED_FIELDS = 'id number state reason dateSupression';

/** Deleted (purged) or pending-deleted (hidden, restorable) dossiers of a démarche. */
export function deletedDossiersDocument(kind: 'deletedDossiers' | 'pendingDeletedDossiers'): Document {
	const operationName = kind === 'deletedDossiers' ? 'GetDeletedDossiers' : 'GetPendingDeletedDossiers';
	return {
		operationName,
		query: `query ${operationName}($demarche: Int!, $first: Int, $after: String, $deletedSince: ISO8601DateTime) {
  demarche(number: $demarche) {
    id
    number
    ${kind}(first: $first, after: $after, deletedSince: $deletedSince) {
      ${PAGE_INFO}
      nodes { ${DELETED_FIELDS} }
    }
  }
}`,
	};
}

export interface DemarcheParts {
	groupeInstructeurs: boolean;
	labels: boolean;
	descriptors: boolean;
	service: boolean;
}

export const ALL_DEMARCHE_PARTS: DemarcheParts = {
	groupeInstructeurs: true,
	labels: true,
	descriptors: true,
	service: true,
};

export const DEMARCHE_PART_NAMES = Object.keys(ALL_DEMARCHE_PARTS) as Array<keyof DemarcheParts>;

/** A descriptor with its type-specific details (list options, repetition children). */
export const CHAMP_DESCRIPTOR_FRAGMENT = /* GraphQL */ `
fragment ChampDescriptorFields on ChampDescriptor {
  __typename
  id
  label
  description
  required
  ... on DropDownListChampDescriptor { options otherOption }
  ... on MultipleDropDownListChampDescriptor { options }
  ... on LinkedDropDownListChampDescriptor { options }
  ... on HeaderSectionChampDescriptor { level }
}
fragment RootChampDescriptorFields on ChampDescriptor {
  ...ChampDescriptorFields
  ... on RepetitionChampDescriptor { champDescriptors { ...ChampDescriptorFields } }
}`;

export function getDemarcheDocument(parts: DemarcheParts): Document {
	const lines = [
		'id',
		'number',
		'title',
		'description',
		'state',
		'declarative',
		'dateCreation',
		'datePublication',
		'dateDerniereModification',
		'dateDepublication',
		'dateFermeture',
	];
	if (parts.groupeInstructeurs) {
		lines.push('groupeInstructeurs { id number label closed instructeurs { id email } }');
	}
	if (parts.labels) lines.push('labels { id name color }');
	if (parts.descriptors) {
		lines.push(`activeRevision {
      id
      datePublication
      champDescriptors { ...RootChampDescriptorFields }
      annotationDescriptors { ...RootChampDescriptorFields }
    }`);
	}
	if (parts.service) lines.push('service { id nom organisme siret typeOrganisme }');
	return {
		operationName: 'GetDemarche',
		query: `query GetDemarche($number: Int!) {
  demarche(number: $number) {
    ${lines.join('\n    ')}
  }
}${parts.descriptors ? CHAMP_DESCRIPTOR_FRAGMENT : ''}`,
	};
}

/** The active revision's descriptors, used to type annotation values and to simplify dossiers. */
export const DEMARCHE_DESCRIPTORS: Document = {
	operationName: 'GetDemarcheDescriptors',
	query: `query GetDemarcheDescriptors($number: Int!) {
  demarche(number: $number) {
    id
    number
    activeRevision {
      id
      champDescriptors { ...RootChampDescriptorFields }
      annotationDescriptors { ...RootChampDescriptorFields }
    }
  }
}${CHAMP_DESCRIPTOR_FRAGMENT}`,
};

export const GET_GROUPE_INSTRUCTEUR: Document = {
	operationName: 'GetGroupeInstructeur',
	query: `query GetGroupeInstructeur($number: Int!) {
  groupeInstructeur(number: $number) {
    id
    number
    label
    closed
    instructeurs { id email }
  }
}`,
};

/** Groupes and their instructeurs, for list searches and e-mail → ID resolution. */
export const DEMARCHE_GROUPES: Document = {
	operationName: 'GetDemarcheGroupeInstructeurs',
	query: `query GetDemarcheGroupeInstructeurs($number: Int!) {
  demarche(number: $number) {
    id
    number
    groupeInstructeurs { id number label closed instructeurs { id email } }
  }
}`,
};

/** The dossier's démarche, groupe and instructeurs, for resolving an acting instructeur. */
export const DOSSIER_CONTEXT: Document = {
	operationName: 'GetDossierContext',
	query: `query GetDossierContext($number: Int!) {
  dossier(number: $number) {
    id
    number
    state
    demarche { number }
    groupeInstructeur { id number label instructeurs { id email } }
    instructeurs { id email }
  }
}`,
};
