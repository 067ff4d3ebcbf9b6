import type { ListFilter } from '../../../db/repos/group-lists-repo.js';
import type { PostListItem, Repos } from '../../../db/repos/index.js';
import type { GroupCardData, LabelLookup } from '../../../../views/components/group-card.js';
import type { PipelineItem } from '../../../../views/pages/pipeline.js';

/** The labels of these posts, with the agency's label names and colours: two queries, whatever the count. */
export function labelLookup(repos: Repos, postIds: readonly string[]): LabelLookup {
  return {
    byId: new Map(repos.labels.list().map((l) => [l.id, { name: l.name, color: l.color }])),
    ofPost: repos.labels.ofPosts(postIds),
  };
}

/**
 * A page of list rows as the pipeline shows them: a grouped row becomes its group's card with
 * every member (one query for all the page's groups), marked whether each matches the filters.
 */
export function pipelineItems(
  repos: Repos,
  rows: readonly PostListItem[],
  filter: Omit<ListFilter, 'limit' | 'cursor'>,
): { items: PipelineItem[]; labels: LabelLookup } {
  const groupIds = [...new Set(rows.flatMap((p) => (p.groupId ? [p.groupId] : [])))];
  const members = repos.groupLists.members(groupIds, filter);
  const groups = repos.groupLists.groups(groupIds);
  const items = rows.map((post): PipelineItem => {
    const group = post.groupId ? groups.get(post.groupId) : undefined;
    if (!group) return { kind: 'post', post };
    const card: GroupCardData = { group, lead: post, members: members.get(group.id) ?? [post].map(matching) };
    return { kind: 'group', card };
  });
  const postIds = [...rows.map((p) => p.id), ...[...members.values()].flat().map((m) => m.id)];
  return { items, labels: labelLookup(repos, [...new Set(postIds)]) };
}

const matching = (post: PostListItem) => ({ ...post, matches: true });

/** One group's card on its own (the members fragment), its lead being its first matching member. */
export function groupCard(
  repos: Repos,
  groupId: string,
  filter: Omit<ListFilter, 'limit' | 'cursor'>,
): { card: GroupCardData; labels: LabelLookup } | null {
  const group = repos.groupLists.groups([groupId]).get(groupId);
  const members = repos.groupLists.members([groupId], filter).get(groupId) ?? [];
  const lead = members.find((m) => m.matches) ?? members[0];
  if (!group || !lead) return null;
  return {
    card: { group, lead, members },
    labels: labelLookup(
      repos,
      members.map((m) => m.id),
    ),
  };
}
