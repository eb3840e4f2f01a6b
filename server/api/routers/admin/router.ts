import { router } from "@/server/api/trpc";
import { listUsers } from "./list-users";

export const adminRouter = router({ listUsers });
