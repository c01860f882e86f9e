/**
 * The name of the session cookie. Shared by the session code and by the server's
 * private-responses middleware, which never lets a response to a signed-in request be
 * cached publicly.
 */
export const SESSION_COOKIE = "briefings_session";
