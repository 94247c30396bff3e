'use strict';
/** French reference data the seed draws from (a small, realistic subset). */

const COMMUNES = [
	{
		name: 'Paris 15e Arrondissement',
		code: '75115',
		postalCode: '75015',
		dep: '75',
		lon: 2.2922,
		lat: 48.8412,
	},
	{ name: 'Lyon', code: '69123', postalCode: '69001', dep: '69', lon: 4.8357, lat: 45.764 },
	{ name: 'Marseille', code: '13055', postalCode: '13001', dep: '13', lon: 5.3698, lat: 43.2965 },
	{ name: 'Toulouse', code: '31555', postalCode: '31000', dep: '31', lon: 1.4442, lat: 43.6047 },
	{ name: 'Nantes', code: '44109', postalCode: '44000', dep: '44', lon: -1.5536, lat: 47.2184 },
	{ name: 'Strasbourg', code: '67482', postalCode: '67000', dep: '67', lon: 7.7521, lat: 48.5734 },
	{ name: 'Lille', code: '59350', postalCode: '59000', dep: '59', lon: 3.0573, lat: 50.6292 },
	{ name: 'Rennes', code: '35238', postalCode: '35000', dep: '35', lon: -1.6778, lat: 48.1173 },
	{ name: 'Bordeaux', code: '33063', postalCode: '33000', dep: '33', lon: -0.5792, lat: 44.8378 },
	{
		name: 'Saint-Étienne',
		code: '42218',
		postalCode: '42000',
		dep: '42',
		lon: 4.3872,
		lat: 45.4397,
	},
	{ name: 'Grenoble', code: '38185', postalCode: '38000', dep: '38', lon: 5.7245, lat: 45.1885 },
	{ name: 'Brest', code: '29019', postalCode: '29200', dep: '29', lon: -4.4861, lat: 48.3904 },
];

const DEPARTEMENTS = {
	13: { name: 'Bouches-du-Rhône', region: '93' },
	29: { name: 'Finistère', region: '53' },
	31: { name: 'Haute-Garonne', region: '76' },
	33: { name: 'Gironde', region: '75' },
	35: { name: 'Ille-et-Vilaine', region: '53' },
	38: { name: 'Isère', region: '84' },
	42: { name: 'Loire', region: '84' },
	44: { name: 'Loire-Atlantique', region: '52' },
	59: { name: 'Nord', region: '32' },
	67: { name: 'Bas-Rhin', region: '44' },
	69: { name: 'Rhône', region: '84' },
	75: { name: 'Paris', region: '11' },
};

const REGIONS = {
	11: 'Île-de-France',
	32: 'Hauts-de-France',
	44: 'Grand Est',
	52: 'Pays de la Loire',
	53: 'Bretagne',
	75: 'Nouvelle-Aquitaine',
	76: 'Occitanie',
	84: 'Auvergne-Rhône-Alpes',
	93: "Provence-Alpes-Côte d'Azur",
};

const PAYS = [
	{ code: 'FR', name: 'France' },
	{ code: 'BE', name: 'Belgique' },
	{ code: 'DE', name: 'Allemagne' },
	{ code: 'ES', name: 'Espagne' },
	{ code: 'IT', name: 'Italie' },
	{ code: 'CH', name: 'Suisse' },
];

const EPCIS = [
	{ code: '200054781', name: 'Métropole du Grand Paris', dep: '75' },
	{ code: '200046977', name: 'Métropole de Lyon', dep: '69' },
	{ code: '243300316', name: 'Bordeaux Métropole', dep: '33' },
	{ code: '244400404', name: 'Nantes Métropole', dep: '44' },
	{ code: '243500139', name: 'Rennes Métropole', dep: '35' },
];

const STREETS = [
	'rue de la République',
	'avenue Jean Jaurès',
	'boulevard Victor Hugo',
	'rue du Moulin',
	'place de la Mairie',
	'chemin des Vignes',
	'rue Pasteur',
	'allée des Tilleuls',
];

const PRENOMS = [
	'Camille',
	'Léa',
	'Manon',
	'Chloé',
	'Inès',
	'Jade',
	'Louise',
	'Lucas',
	'Hugo',
	'Jules',
	'Louis',
	'Gabriel',
	'Arthur',
	'Nathan',
	'Élodie',
	'Théo',
	'Zoé',
	'Mathis',
	'Anaïs',
	'Noé',
];
const NOMS = [
	'Martin',
	'Bernard',
	'Dubois',
	'Thomas',
	'Robert',
	'Richard',
	'Petit',
	'Durand',
	'Leroy',
	'Moreau',
	'Simon',
	'Laurent',
	'Lefèvre',
	'Michel',
	'Garcia',
	'David',
	'Bertrand',
	'Roux',
	'Vincent',
	'Fournier',
];

const ASSOCIATIONS = [
	{
		rna: 'W751234567',
		titre: 'Les Amis du Jardin Partagé',
		objet: 'Animer un jardin partagé de quartier',
	},
	{
		rna: 'W691112223',
		titre: 'Club Sportif des Pentes',
		objet: 'Pratique du basket-ball pour tous',
	},
	{
		rna: 'W133334445',
		titre: 'Lire et Faire Lire 13',
		objet: 'Lecture aux enfants dans les écoles',
	},
	{ rna: 'W313456789', titre: 'Théâtre en Garonne', objet: 'Création et diffusion théâtrale' },
	{
		rna: 'W442223334',
		titre: 'Solidarité Nantes Nord',
		objet: 'Aide alimentaire et accompagnement',
	},
];

const ENTREPRISES = [
	{
		siren: '552100554',
		raisonSociale: 'BATIMENTS DU SUD SAS',
		naf: '4120A',
		libelleNaf: 'Construction de maisons individuelles',
		forme: 'SAS, société par actions simplifiée',
		formeCode: '5710',
	},
	{
		siren: '418579845',
		raisonSociale: 'TERRASSES ET COMPAGNIE',
		naf: '5610A',
		libelleNaf: 'Restauration traditionnelle',
		forme: 'SARL, société à responsabilité limitée',
		formeCode: '5499',
	},
	{
		siren: '830456721',
		raisonSociale: 'ÉCHAFAUDAGES MODERNES',
		naf: '4399D',
		libelleNaf: 'Autres travaux spécialisés de construction',
		forme: 'SAS, société par actions simplifiée',
		formeCode: '5710',
	},
	{
		siren: '349876120',
		raisonSociale: 'MARCHÉ FRAIS DISTRIBUTION',
		naf: '4711D',
		libelleNaf: 'Supermarchés',
		forme: "SA à conseil d'administration",
		formeCode: '5599',
	},
];

const LABEL_COLORS = [
	'green_bourgeon',
	'blue_ecume',
	'pink_macaron',
	'yellow_tournesol',
	'purple_glycine',
	'beige_gris_galet',
];

/** E-mail-safe (lowercase ASCII) forms of the names, computed once. */
const ascii = (name) =>
	name
		.toLowerCase()
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '');
const PRENOMS_ASCII = PRENOMS.map(ascii);
const NOMS_ASCII = NOMS.map(ascii);

module.exports = {
	PRENOMS_ASCII,
	NOMS_ASCII,
	COMMUNES,
	DEPARTEMENTS,
	REGIONS,
	PAYS,
	EPCIS,
	STREETS,
	PRENOMS,
	NOMS,
	ASSOCIATIONS,
	ENTREPRISES,
	LABEL_COLORS,
};
