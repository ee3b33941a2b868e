/**
 * Short word lists the public-layout adapter draws people, places and merchants from. Written
 * for this project (common English words and given names, no third-party data set); the point
 * is realistic-looking text columns, not realistic people.
 */

/** Given names, by the gender column's value. */
export const FIRST_NAMES: Readonly<Record<'F' | 'M', readonly string[]>> = Object.freeze({
  F: [
    'Alice',
    'Beth',
    'Carla',
    'Diana',
    'Emma',
    'Fiona',
    'Grace',
    'Hannah',
    'Iris',
    'Julia',
    'Karen',
    'Laura',
    'Maria',
    'Nora',
    'Olivia',
    'Paula',
    'Rachel',
    'Sarah',
    'Tina',
    'Vera',
  ],
  M: [
    'Adam',
    'Brian',
    'Carl',
    'David',
    'Eric',
    'Frank',
    'George',
    'Henry',
    'Ian',
    'James',
    'Kevin',
    'Luke',
    'Mark',
    'Nathan',
    'Oscar',
    'Peter',
    'Robert',
    'Samuel',
    'Thomas',
    'Victor',
  ],
});

/** Family names. */
export const LAST_NAMES: readonly string[] = Object.freeze([
  'Adams',
  'Baker',
  'Carter',
  'Dixon',
  'Ellis',
  'Foster',
  'Gray',
  'Hughes',
  'Irwin',
  'Jensen',
  'Keller',
  'Lawson',
  'Miller',
  'Nolan',
  'Owens',
  'Porter',
  'Quinn',
  'Reed',
  'Shaw',
  'Turner',
  'Underwood',
  'Vance',
  'Walsh',
  'Young',
]);

/** Street names and kinds; a street is "<number> <name> <kind>". */
export const STREET_NAMES: readonly string[] = Object.freeze([
  'Maple',
  'Oak',
  'Cedar',
  'Pine',
  'Elm',
  'Willow',
  'Lake',
  'Hill',
  'River',
  'Park',
  'Church',
  'Mill',
  'Spring',
  'Ridge',
  'Meadow',
  'Forest',
]);
export const STREET_KINDS: readonly string[] = Object.freeze([
  'Street',
  'Avenue',
  'Road',
  'Lane',
  'Drive',
  'Court',
]);

/** Occupations. */
export const JOBS: readonly string[] = Object.freeze([
  'Accountant',
  'Architect',
  'Baker',
  'Bus driver',
  'Carpenter',
  'Chemist',
  'Civil engineer',
  'Dentist',
  'Electrician',
  'Farmer',
  'Firefighter',
  'Graphic designer',
  'Journalist',
  'Lawyer',
  'Librarian',
  'Mechanic',
  'Nurse',
  'Pharmacist',
  'Physician',
  'Pilot',
  'Plumber',
  'Police officer',
  'Software developer',
  'Teacher',
  'Veterinarian',
]);

/** Town names are "<start><end>": 10 × 10 towns, one per cell of the map. */
export const TOWN_STARTS: readonly string[] = Object.freeze([
  'Ash',
  'Brook',
  'Clay',
  'Fair',
  'Green',
  'Hart',
  'Marsh',
  'North',
  'Stone',
  'West',
]);
export const TOWN_ENDS: readonly string[] = Object.freeze([
  'ford',
  'field',
  'ton',
  'ville',
  'burg',
  'dale',
  'port',
  'wood',
  'haven',
  'bridge',
]);

/** Two-letter codes of the states the map covers, one per third of it on each axis. */
export const STATES: readonly string[] = Object.freeze([
  'OH',
  'PA',
  'NY',
  'WV',
  'MD',
  'NJ',
  'VA',
  'DE',
  'CT',
]);

/** Merchant names are "<first> <second> <suffix>". */
export const MERCHANT_FIRST: readonly string[] = Object.freeze([
  'Blue',
  'Bright',
  'Corner',
  'Golden',
  'Happy',
  'Harbor',
  'Liberty',
  'Main Street',
  'Northern',
  'Old Town',
  'Prime',
  'Red Barn',
  'Silver',
  'Summit',
  'Sunny',
  'Union',
  'Valley',
  'Village',
  'Westside',
  'Windy',
]);
export const MERCHANT_SECOND: readonly string[] = Object.freeze([
  'Bakery',
  'Books',
  'Cafe',
  'Deli',
  'Fitness',
  'Florist',
  'Fuel',
  'Garage',
  'Grocer',
  'Hardware',
  'Market',
  'Outfitters',
  'Pharmacy',
  'Pizza',
  'Sports',
  'Supply',
  'Tech',
  'Travel',
  'Toys',
  'Wines',
]);
export const MERCHANT_SUFFIX: readonly string[] = Object.freeze([
  'Co',
  'Inc',
  'LLC',
  'Group',
  'and Sons',
  'Ltd',
  'Store',
  'Shop',
  'Express',
  'Outlet',
]);

/**
 * Merchant categories. Card-not-present categories (the `online_` ones) come first: the adapter
 * gives compromised terminals a higher chance of being one of them, so the category column
 * carries some signal, as it does in real logs.
 */
export const CATEGORIES: readonly string[] = Object.freeze([
  'online_retail',
  'online_services',
  'online_grocery',
  'grocery',
  'fuel',
  'restaurants',
  'fitness',
  'home_garden',
  'kids_pets',
  'personal_care',
  'entertainment',
  'retail',
  'misc',
  'travel',
]);
/** How many of {@link CATEGORIES}, from the start, are card-not-present. */
export const ONLINE_CATEGORIES = 3;
