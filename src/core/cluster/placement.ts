/**
 * When the namespace chosen in this window (Select Namespace, to browse the Cluster view) is not
 * the one the notebook's parity.yaml runs in, a run must not go there silently: the question to
 * ask, with the profile's namespace first. Undefined when there is nothing to ask.
 */
export function namespaceQuestion(
  selected: string | undefined,
  profile: string | undefined,
  notebook: string,
): { message: string; profile: string; selected: string } | undefined {
  if (!selected || !profile || selected === profile) return undefined;
  return {
    message: `${notebook}'s parity.yaml runs it in namespace ${profile}, but this workspace has ${selected} selected (Select Namespace). Where should this run go?`,
    profile,
    selected,
  };
}
