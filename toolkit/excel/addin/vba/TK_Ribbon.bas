Attribute VB_Name = "TK_Ribbon"
' Marketing Toolkit: the ribbon's callbacks.
' Each button runs one Python function of toolkit.excel.macros through xlwings' RunPython
' (module "xlwings" of this add-in, made from xlwings_custom_addin.bas, which hands Python the
' ACTIVE workbook as Book.caller(), not this add-in - see xlwings issue #1746).
' Settings come from GetConfig: a "MarketingToolkit.conf" sheet in the active workbook, then this
' add-in's own "MarketingToolkit.conf" sheet, then MarketingToolkit.conf next to the workbook, then
' the user's MarketingToolkit.conf file. They reach Python hex-encoded, so no path can break the
' command line that RunPython builds.
Option Explicit

Sub TK_Validate(control As IRibbonControl)
    TK_Run "validate"
End Sub

Sub TK_Royalties(control As IRibbonControl)
    TK_Run "royalties"
End Sub

Sub TK_Completion(control As IRibbonControl)
    TK_Run "completion"
End Sub

Sub TK_Funds(control As IRibbonControl)
    TK_Run "funds"
End Sub

Sub TK_MonthlyReport(control As IRibbonControl)
    TK_Run "monthly_report"
End Sub

Sub TK_ConsolidateFolder(control As IRibbonControl)
    TK_Run "consolidate_folder"
End Sub

Sub TK_ApproveSelection(control As IRibbonControl)
    TK_Run "approve_selection"
End Sub

Sub TK_RejectSelection(control As IRibbonControl)
    TK_Run "reject_selection"
End Sub

Sub TK_NewTemplate(control As IRibbonControl)
    TK_Run "new_template"
End Sub

Sub TK_ImportFunctions(control As IRibbonControl)
    ' Imports the TK_ worksheet functions (UDF_MODULES = toolkit.excel.udfs) into the active workbook.
    If ActiveWorkbook Is Nothing Then
        TK_NeedWorkbook
        Exit Sub
    End If
    ImportPythonUDFs
End Sub

Sub TK_About(control As IRibbonControl)
    MsgBox "Marketing Toolkit add-in" & vbCrLf & _
           "Python: " & TK_Setting("INTERPRETER_WIN") & TK_Setting("INTERPRETER_MAC") & vbCrLf & _
           "Standards workbook: " & TK_Setting("TOOLKIT_STANDARDS") & vbCrLf & _
           "Language: " & TK_Setting("TOOLKIT_LANG"), vbInformation, "Marketing Toolkit"
End Sub

Private Sub TK_Run(ByVal macroName As String)
    ' RunPython needs an open workbook: it passes the active one to Python as the caller.
    If ActiveWorkbook Is Nothing Then
        TK_NeedWorkbook
        Exit Sub
    End If
    RunPython "import toolkit.excel.settings as tks; tks.use_hex('" & TK_Hex(TK_Setting("TOOLKIT_STANDARDS")) & _
              "', '" & TK_Hex(TK_Setting("TOOLKIT_LANG")) & "'); import toolkit.excel.macros as tkm; tkm." & macroName & "()"
End Sub

Private Sub TK_NeedWorkbook()
    MsgBox "Open a workbook first.", vbExclamation, "Marketing Toolkit"
End Sub

Private Function TK_Setting(ByVal key As String) As String
    TK_Setting = CStr(GetConfig(key, ""))
End Function

Private Function TK_Hex(ByVal text As String) As String
    ' UTF-16 code units as 4 hex digits each; Python decodes with bytes.fromhex(...).decode("utf-16-be").
    Dim i As Long, out As String
    For i = 1 To Len(text)
        out = out & Right$("000" & Hex$(AscW(Mid$(text, i, 1)) And &HFFFF&), 4)
    Next i
    TK_Hex = out
End Function
