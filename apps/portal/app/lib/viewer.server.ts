import { ANONYMOUS, type Viewer } from "@briefings/core";

/**
 * Who is asking. Until accounts exist every request is anonymous; this is the one
 * place that will read the session.
 */
export async function getViewer(_request: Request): Promise<Viewer> {
  return ANONYMOUS;
}
