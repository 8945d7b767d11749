/** The status view model lives with the continuity rules (domain); re-exported here for the renderers. */
export * from '../../domain/continuity/status-view.js';
