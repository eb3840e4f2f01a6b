import { router } from "@/server/api/trpc";
import { addCommandHistoryProcedure } from "./add-command-history";
import { clearCommandHistoryProcedure } from "./clear-command-history";
import { listCommandHistoryProcedure } from "./list-command-history";

export const commandHistoryRouter = router({
  list: listCommandHistoryProcedure,
  add: addCommandHistoryProcedure,
  clear: clearCommandHistoryProcedure,
});
