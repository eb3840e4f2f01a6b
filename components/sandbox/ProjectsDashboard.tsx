"use client";

import { ProjectCreator } from "./ProjectCreator";
import { ProjectList } from "./ProjectList";

/** The /projects client island: create a project, then browse and search the list. */
export function ProjectsDashboard() {
  return (
    <div className="dashboard">
      <ProjectCreator />
      <ProjectList />
    </div>
  );
}
