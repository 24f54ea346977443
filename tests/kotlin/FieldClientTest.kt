// The mobile library from Kotlin, for real: compiled with kotlinc against
// the generated bindings and run on the JVM (JNA stands in for Android)
// against a real server. Arguments: server URL, two store folders, a photo,
// and the officer's password (its account is made by the Rust side).

import kotlinx.coroutines.runBlocking
import uniffi.paidan_mobile.*

fun check(ok: Boolean, what: String) {
    if (!ok) {
        System.err.println("FAILED: $what")
        kotlin.system.exitProcess(1)
    }
}

class Recorder : SyncListener {
    val changed = mutableListOf<String>()
    var progress = 0
    override fun onPhotoProgress(index: UInt, count: UInt, sent: ULong, total: ULong) { progress++ }
    override fun onCaseChanged(caseId: String) { changed.add(caseId) }
    override fun onRefused(caseId: String, reason: String) { System.err.println("refused $caseId: $reason") }
}

fun report(category: String, text: String, photos: List<Photo> = emptyList()) =
    NewReport(category, text, 44.1601, 87.9802, "阜新花园东门", photos, "潘云燕", "13800000000")

fun main(args: Array<String>) = runBlocking {
    val (url, residentDir, officerDir, photo) = args
    val officerPassword = args[4]

    // A resident registers with a mobile number and logs in.
    val resident = FieldClient.open(residentDir, url)
    val panId = resident.register("13912345678", "pan-password", "潘云燕")
    try {
        resident.login("13912345678", "wrong password", "pan's phone")
        check(false, "a wrong password logged in")
    } catch (e: FieldException.Unauthorized) { }
    val me = resident.login("13912345678", "pan-password", "pan's phone")
    check(me.userId == panId && me.role == Role.RESIDENT && !me.userId.contains("13912345678"), "logged in as a resident with an opaque id: $me")

    // Then files a case with a photo while offline.
    check(resident.categories().any { it.code == "road.manhole" && it.onSite }, "catalogue has the manhole category")
    val id = resident.fileCase(report("road.manhole", "小区门口窨井盖不见了", listOf(Photo.File(photo))))
    check(resident.pendingPhotos() == 1u, "the photo waits for upload")

    // Back online: one sync sends the case and the photo.
    val rec = Recorder()
    val first = resident.sync(rec)
    check(first.sent >= 1uL && first.acknowledged == first.sent, "the case was acknowledged: $first")
    check(first.photosPending == 0u && rec.progress > 0, "the photo was uploaded with progress")

    // An officer's client sees it and handles it on site.
    val officer = FieldClient.open(officerDir, url)
    check(officer.login("patrol-1", officerPassword, "officer's phone").role == Role.PATROL_OFFICER, "the officer logs in")
    officer.sync(null)
    check(officer.listCases(false, null, null, 50u).any { it.id == id && it.status == CaseStatus.TRIAGED }, "the officer sees the new case, triaged by the server")
    check("handled_on_site" in officer.getCase(id).allowedActions, "the officer may handle it on site")
    val status = officer.act(id, Action.HandledOnSite("已盖好井盖", listOf(Photo.File(photo)), listOf(Photo.Bytes(java.io.File(photo).readBytes()))))
    check(status == CaseStatus.CLOSED, "handled on site closes it")
    officer.sync(null)

    // The resident's client sees it closed, and gives the callback.
    val rec2 = Recorder()
    resident.sync(rec2)
    check(id in rec2.changed, "the listener heard of the change")
    val closed = resident.getCase(id)
    check(closed.summary.status == CaseStatus.CLOSED, "the resident sees it closed")
    check(closed.timeline.any { it.kind == "handled_on_site" && it.by == "patrol-1" }, "the timeline shows who handled it")
    check("callback" in closed.allowedActions, "the resident may give the callback")
    check(resident.act(id, Action.Callback(Satisfaction.SATISFIED, "满意")) == CaseStatus.CLOSED, "callback recorded")
    check(resident.getCase(id).satisfaction == Satisfaction.SATISFIED, "satisfaction shows")

    // Errors are typed, with the field a UI can point at.
    try {
        resident.fileCase(NewReport("nope", "x", 44.0, 87.0, null, emptyList(), null, null))
        check(false, "an unknown category was accepted")
    } catch (e: FieldException.InvalidInput) {
        check(e.field == "category", "the error names the category field")
    }
    try {
        resident.fileCase(NewReport("road.manhole", "x", 200.0, 87.0, null, emptyList(), null, null))
        check(false, "latitude 200 was accepted")
    } catch (e: FieldException.InvalidInput) {
        check(e.field == "lat", "the error names lat")
    }
    try {
        resident.act(id, Action.Verify(""))
        check(false, "a resident verified a case")
    } catch (e: FieldException.InvalidInput) {
        check(e.field == "action", "the refusal names the action")
    }
    try {
        resident.getCase("not-an-id")
        check(false, "a bad id was accepted")
    } catch (e: FieldException.InvalidInput) { }

    // What the resident may not do, the server refuses even if the app
    // were tricked into writing it; nothing is lost on the phone.
    val other = FieldClient.open("$residentDir-other", url)
    other.register("13912340000", "other-password", "")
    other.login("13912340000", "other-password", "")
    other.sync(null)
    check(other.listCases(false, null, null, 50u).none { it.id == id }, "another resident does not receive pan's case")

    // No network is its own error, and nothing is lost.
    val away = FieldClient.open("$residentDir-away", "http://127.0.0.1:9")
    val pending = away.fileCase(report("sanitation.garbage", "后门垃圾"))
    try {
        away.sync(null)
        check(false, "a sync with no server succeeded")
    } catch (e: FieldException.Offline) { }
    check(away.listCases(true, null, null, 10u).any { it.id == pending }, "the offline report is kept")

    // The cost of one FFI call: list 50 cases.
    repeat(60) { resident.fileCase(report("sanitation.garbage", "巡查记录 $it")) }
    repeat(300) { resident.listCases(false, null, null, 50u) }
    val n = 3000
    val t0 = System.nanoTime()
    repeat(n) { check(resident.listCases(false, null, null, 50u).size == 50, "50 listed") }
    val perCall = (System.nanoTime() - t0) / n / 1000.0
    println("kotlin: list 50 cases through the FFI: %.1f us per call".format(perCall))
    println("KOTLIN TEST PASSED")
}
