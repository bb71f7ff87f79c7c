import { describe, expect, it } from "vitest";
import { edgePath, layoutGraph, NODE_HEIGHT, NODE_WIDTH } from "../../../webview-ui/src/lib/pipeline/layout";

describe("the run graph's layout (dagre)", () => {
  it("puts each step below those it runs after, side by side steps apart, inside the graph's size", () => {
    const layout = layoutGraph(
      [{ id: "load" }, { id: "squares" }, { id: "total" }, { id: "report" }],
      [
        { from: "load", to: "squares" },
        { from: "load", to: "total" },
        { from: "squares", to: "report" },
        { from: "total", to: "report" },
      ],
    );
    const at = Object.fromEntries(layout.nodes.map((node) => [node.id, node]));
    const { load, squares, total, report } = at as Record<string, (typeof layout.nodes)[number]>;
    // Three ranks, top to bottom.
    expect(squares!.y).toBeGreaterThanOrEqual(load!.y + NODE_HEIGHT);
    expect(total!.y).toBe(squares!.y);
    expect(report!.y).toBeGreaterThanOrEqual(squares!.y + NODE_HEIGHT);
    // The two middle steps do not overlap.
    expect(Math.abs(squares!.x - total!.x)).toBeGreaterThanOrEqual(NODE_WIDTH);
    for (const node of layout.nodes) {
      expect(node).toMatchObject({ width: NODE_WIDTH, height: NODE_HEIGHT });
      expect(node.x).toBeGreaterThanOrEqual(0);
      expect(node.y).toBeGreaterThanOrEqual(0);
      expect(node.x + node.width).toBeLessThanOrEqual(layout.width);
      expect(node.y + node.height).toBeLessThanOrEqual(layout.height);
    }
    // Each edge runs from the bottom of its step to the top of the next.
    expect(layout.edges).toHaveLength(4);
    const edge = layout.edges.find((each) => each.from === "load" && each.to === "squares")!;
    expect(edge.points.length).toBeGreaterThanOrEqual(2);
    expect(edge.points[0]!.y).toBeCloseTo(load!.y + NODE_HEIGHT, 0);
    expect(edge.points.at(-1)!.y).toBeCloseTo(squares!.y, 0);
  });

  it("leaves out an edge to a step that is not there, instead of inventing the step", () => {
    const layout = layoutGraph([{ id: "a" }], [{ from: "gone", to: "a" }]);
    expect(layout.nodes.map((node) => node.id)).toEqual(["a"]);
    expect(layout.edges).toEqual([]);
  });

  it("draws an edge as a path through its points", () => {
    expect(
      edgePath([
        { x: 1, y: 2 },
        { x: 3.14159, y: 4 },
      ]),
    ).toBe("M 1 2 L 3.1 4");
  });
});
