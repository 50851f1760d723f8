import Glibc
import HTTPServer
import IO

signal(SIGPIPE, SIG_IGN)
let group = try EventLoopGroup(threadCount: CPUCount.usable())
var router = Router()
router.get("/livez") { _ in .json(bytes: Array("{\"status\":\"ok\"}".utf8)) }
router.get("/items/{id}") { request in
    let id = try request.parameters.require("id", as: Int64.self)
    return .json(bytes: Array("{\"id\":\(id)}".utf8))
}
router.post("/echo") { request in Response(body: request.body) }
let port = Int(getenv("HTTP_PORT").map { String(cString: $0) } ?? "8080") ?? 8080
let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: port), responder: router, group: group)
try server.start()
while true { sleep(1000) }
