import Glibc
import ServiceKit

exit(await ServiceCommand.run(ItemsService.self))
