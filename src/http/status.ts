// What a status says, the one test the kit applies to it.

/** A success: 2xx. */
export const isSuccess = (status: number): boolean => status >= 200 && status < 300;
