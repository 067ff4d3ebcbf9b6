import { createContext } from 'hono/jsx';

/**
 * Each platform's name by id, from the networks' descriptors. render() provides it around every
 * page, so a badge deep in a list names the platform without each page passing the names down.
 */
export const PlatformLabels = createContext<Readonly<Record<string, string>>>({});
