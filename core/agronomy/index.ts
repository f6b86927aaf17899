// core/agronomy: pure agronomy functions (no I/O, no clock). See docs/agronomy.md.
export * from './units.js';
export * from './fao56-meteo.js';
export * from './fao56-radiation.js';
export * from './fao56-equations.js';
export * from './et0-daily.js';
export * from './fao56-hourly.js';
export * from './daily-aggregation.js';
export * from './crops.js';
export * from './soil.js';
export * from './water-balance.js';
export * from './irrigation.js';
export * from './awd.js';
export * from './salinity.js';
export * from './temperature-stress.js';
export * from './csv.js';
export * from './field-soil-water.js';
export * from './station-day.js';
